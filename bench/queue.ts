/**
 * Benchmarks of the BullMQ engine (issue 14), on this machine, against a redis-server started
 * here on 127.0.0.1 (skipped, saying so, where redis-server is missing):
 *   - the 10-fold digits cross-validation (MLP 256-256, 30 epochs) on N workers (default 2) through Redis
 *     against the LAN coordinator with as many, side by side in alternating pairs (LAN, Redis,
 *     Redis, LAN, …; `--queue-pairs=N`, default 3). The goal (Redis within 5% of the LAN) is judged
 *     on the fastest run of each engine, the figure least touched by other load on a shared
 *     machine; the mean and the LAN's own spread (its noise floor) are printed beside it;
 *   - minimal jobs per second (a linear model, one epoch on 16 rows) through Redis and through
 *     the coordinator, N workers each;
 *   - the Lab's commit rate: results per second the library stores (a real 10-fold job result,
 *     committed under new keys, one transaction each, synchronous=FULL as the Lab runs it);
 *   - a worker's data fetch: GET of the digits data set from Redis, decode and hash check.
 * Workers are started and connected before the clock starts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Coordinator, spawnLocalWorkers } from '../app/coordinator/index.ts';
import { loadDataset } from '../app/datasets.ts';
import { useFastKernels } from '../app/kernels.ts';
import { Library } from '../app/library/library.ts';
import { BullMqEngine } from '../app/engine/bullmq/engine.ts';
import { spawnQueueWorkers } from '../app/engine/bullmq/local.ts';
import { liveWorkers } from '../app/engine/bullmq/workers.ts';
import { redisMissing, TestRedis } from '../app/engine/redis-server.ts';
import { plan as makePlan, type Plan } from '../shared/experiment/plan.ts';
import { runPlan } from '../shared/experiment/run.ts';
import type { Executor } from '../shared/experiment/executor.ts';
import type { ExperimentSpec, JobResult } from '../shared/experiment/types.ts';
import { datasetHash } from '../shared/data/dataset.ts';
import { encodeJobResult } from '../shared/codec.ts';
import { parseEngineUrl, redisKeys } from '../worker/queue/layout.ts';
import { dataBytes, readDataBytes } from '../worker/queue/payload.ts';
import { redisOptions } from '../worker/queue/connect.ts';
import { cv10, minimal } from './lab.ts';

export interface QueueBench {
  kernels: string;
  /** Workers per engine (`--queue-workers`, default 2). */
  workers: number;
  cv10_lan_s: number[];
  cv10_redis_s: number[];
  /** Redis time over LAN time (mean of the runs) minus 1. */
  redis_vs_lan: number;
  /** Redis time over LAN time (fastest run of each) minus 1: the figure the goal is judged on. */
  redis_vs_lan_fastest: number;
  /** The LAN's slowest run over its fastest, minus 1: how far noise alone moved one engine. */
  lan_spread: number;
  /** The 1-minute load average before and after the 10-fold runs. */
  load: [number, number];
  minimal_jobs: number;
  jobs_per_s_lan: number;
  jobs_per_s_redis: number;
  commits: number;
  result_bytes: number;
  commits_per_s: number;
  data_bytes: number;
  data_fetch_ms: number;
}

const planOf = (spec: ExperimentSpec) => makePlan(spec, (ds, rng) => loadDataset(ds, rng));

async function timed(p: Plan, executor: Executor) {
  const t0 = performance.now();
  const { report, results } = await runPlan(p, executor);
  return { s: (performance.now() - t0) / 1000, json: JSON.stringify(report), results };
}

const quiet = { info: () => {}, warn: () => {} };

export async function queueBench(log: (s: string) => void, pairs = 3, workers = 2): Promise<QueueBench | undefined> {
  const missing = redisMissing();
  if (missing) {
    log(`queue bench skipped: ${missing}`);
    return undefined;
  }
  const k = useFastKernels();
  const kernels = k.build === undefined ? { name: k.name } : { name: k.name, build: k.build };
  log(`queue bench (kernels: ${k.name}): redis-server on 127.0.0.1, ${workers} worker(s) per engine`);
  const redis = await TestRedis.start({ config: { appendonly: 'yes', appendfsync: 'everysec' } });
  const dir = mkdtempSync(join(tmpdir(), 'optlab-bench-queue-'));
  const coordinator = new Coordinator({ logger: quiet });
  await coordinator.listen();
  const lan = spawnLocalWorkers(workers, coordinator.url, coordinator.token);
  const queued = spawnQueueWorkers(workers, redis.url());
  const target = parseEngineUrl(redis.url());
  const engine = new BullMqEngine({
    target,
    libraryId: randomBytes(8).toString('hex'),
    kernels,
    logger: quiet,
  });
  const cmd = new Redis(redisOptions(target, 'bench'));
  let experiment = 0;
  const viaRedis = async (p: Plan) => {
    const session = await engine.open({ experimentId: ++experiment, workers: 0, joined: false, backend: {} });
    try {
      return await timed(p, session.executor);
    } finally {
      await session.stop();
    }
  };
  try {
    const t0 = performance.now();
    while (
      coordinator.workers().length < workers ||
      (await liveWorkers(cmd, redisKeys(target.prefix))).length < workers
    )
      await new Promise((r) => setTimeout(r, 50));
    log(`  workers up in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const small = planOf(minimal);
    const lanMin = await timed(small, coordinator.executor());
    const redisMin = await viaRedis(small);
    if (redisMin.json !== lanMin.json) throw new Error('queue bench: the minimal report differs between the engines');
    const jobs = lanMin.results.size;
    log(
      `  minimal jobs (${jobs}): ${(jobs / lanMin.s).toFixed(0)}/s through the coordinator, ${(jobs / redisMin.s).toFixed(0)}/s through Redis`,
    );

    const cv = planOf(cv10);
    const lanS: number[] = [];
    const redisS: number[] = [];
    let reference = '';
    let sample: JobResult | undefined;
    const load0 = loadavg()[0];
    // LAN then Redis, then Redis then LAN, …: a load that drifts during the runs weighs on both alike.
    for (let i = 0; i < pairs; i++) {
      const lanFirst = i % 2 === 0;
      const first = lanFirst ? await timed(cv, coordinator.executor()) : await viaRedis(cv);
      const second = lanFirst ? await viaRedis(cv) : await timed(cv, coordinator.executor());
      const [a, b] = lanFirst ? [first, second] : [second, first];
      reference ||= a.json;
      if (a.json !== reference || b.json !== reference)
        throw new Error('queue bench: a 10-fold report differs between the engines');
      lanS.push(a.s);
      redisS.push(b.s);
      sample ??= [...a.results.values()][0];
      log(`  10-fold CV run ${i + 1}: LAN ${a.s.toFixed(2)} s, Redis ${b.s.toFixed(2)} s`);
    }
    const load1 = loadavg()[0];
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

    // The Lab's side of every result: one committed transaction (synchronous = FULL).
    const lib = Library.open(join(dir, 'commit.db'));
    const id = lib.createExperiment(cv10);
    const n = 400;
    const results = Array.from({ length: n }, (_, i) => ({ ...sample!, key: `config=0/replicate=${i}` }));
    const c0 = performance.now();
    for (const r of results) lib.deliverResult(id, r.key, r, 1, 'bench');
    const commitS = (performance.now() - c0) / 1000;
    const resultBytes = encodeJobResult(sample!).length;
    lib.close();

    // A worker's first job on a data set: one GET, then decode and hash check.
    const ds = cv.data[0].data;
    const hash = datasetHash(ds);
    const bytes = dataBytes(hash, ds);
    await cmd.set(`${target.prefix}:bench:${hash}`, bytes);
    const reps = 20;
    const f0 = performance.now();
    for (let i = 0; i < reps; i++) {
      const got = await cmd.getBuffer(`${target.prefix}:bench:${hash}`);
      const back = readDataBytes(new Uint8Array(got!.buffer, got!.byteOffset, got!.byteLength), hash);
      if (datasetHash(back) !== hash) throw new Error('queue bench: the data set came back changed');
    }
    const fetchMs = (performance.now() - f0) / reps;

    const out: QueueBench = {
      kernels: k.name,
      workers,
      cv10_lan_s: lanS,
      cv10_redis_s: redisS,
      redis_vs_lan: mean(redisS) / mean(lanS) - 1,
      redis_vs_lan_fastest: Math.min(...redisS) / Math.min(...lanS) - 1,
      lan_spread: Math.max(...lanS) / Math.min(...lanS) - 1,
      load: [load0, load1],
      minimal_jobs: jobs,
      jobs_per_s_lan: jobs / lanMin.s,
      jobs_per_s_redis: jobs / redisMin.s,
      commits: n,
      result_bytes: Math.round(resultBytes),
      commits_per_s: n / commitS,
      data_bytes: bytes.length,
      data_fetch_ms: fetchMs,
    };
    const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
    log(
      `  Redis vs LAN on the 10-fold CV: fastest runs ${pct(out.redis_vs_lan_fastest)} (goal within 5%: ${Math.abs(out.redis_vs_lan_fastest) <= 0.05 ? 'met' : 'not met'}); means ${pct(out.redis_vs_lan)}; the LAN's own runs spread ${pct(out.lan_spread)}; load average ${load0.toFixed(1)} → ${load1.toFixed(1)}`,
    );
    log(
      `  Lab commits: ${out.commits_per_s.toFixed(0)} results/s (${n} results of ${(out.result_bytes / 1024).toFixed(0)} KiB, synchronous=FULL)`,
    );
    log(
      `  data fetch: ${(out.data_bytes / 1024).toFixed(0)} KiB data set in ${out.data_fetch_ms.toFixed(2)} ms (GET, decode, hash check)`,
    );
    return out;
  } finally {
    cmd.disconnect();
    await engine.close();
    await queued.stop();
    await lan.stop();
    await coordinator.close();
    await redis.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
