/**
 * The two worker commands' usage lines and the test that tells them apart, kept apart from
 * the commands so that `optlab --help` and a LAN worker do not load the queue worker's
 * BullMQ and Redis client.
 */
export const QUEUE_WORKER_USAGE =
  'optlab worker --engine redis[s]://[user:password@]host[:port][?prefix=NAME] [--slots N] [--name NAME] [--grace SECONDS] [--lock-seconds S] [--backend auto|cpu|webgpu] [--software-gpu]';

/** Whether the command line (or, without --connect, the environment) asks for a queue worker. */
export function wantsQueue(argv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  if (argv.some((a) => a === '--engine' || a.startsWith('--engine='))) return true;
  return !!env.OPTLAB_ENGINE && !argv.some((a) => a === '--connect' || a.startsWith('--connect='));
}

export const WORKER_USAGE =
  'optlab worker --connect ws://HOST:PORT [--token TOKEN] [--slots N] [--name NAME] [--grace SECONDS] [--retry-for DURATION] [--exit-on-disconnect] [--backend auto|cpu|webgpu] [--software-gpu]  (the token is best given as OPTLAB_TOKEN in the environment)\n   or: ' +
  QUEUE_WORKER_USAGE;
