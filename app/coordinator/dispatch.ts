/**
 * What each worker message may do in its connection's state: before `hello`, nothing but
 * `hello`; after it, messages about the worker's own leases. Anything else closes that
 * connection.
 */
import type { ErrorCode, HelloMsg, WorkerMessage } from '../../shared/protocol.ts';
import { resultProblems } from '../../shared/protocol-validate.ts';
import { encodeMessage } from '../../shared/codec.ts';
import { sendTo, type Conn } from './connection.ts';
import { CoordinatorError } from './errors.ts';
import type { JobQueue, Lease } from './queue.ts';
import type { CoordinatorLogger } from './types.ts';

/** What the handlers need of the coordinator. */
export interface DispatchContext {
  readonly jobs: JobQueue;
  readonly log: CoordinatorLogger;
  readonly maxFrame: number;
  /** Answers a violation with an error and closes that connection (its jobs are requeued). */
  refuse(conn: Conn, code: ErrorCode, message: string): void;
  /** Checks the answer to the challenge and lets the worker in, or refuses it. */
  hello(conn: Conn, msg: HelloMsg): void;
}

/** Acts on one decoded, schema-checked message. */
export function dispatch(ctx: DispatchContext, conn: Conn, msg: WorkerMessage): void {
  const { jobs, log } = ctx;
  if (conn.state === 'challenged') {
    if (msg.type !== 'hello') return ctx.refuse(conn, 'E_OUT_OF_ORDER', `"${msg.type}" before hello`);
    return ctx.hello(conn, msg);
  }
  const leaseOf = (id: string): Lease | undefined => {
    const lease = conn.leases.get(id);
    if (!lease)
      ctx.refuse(
        conn,
        'E_OUT_OF_ORDER',
        `"${msg.type}" for job id ${JSON.stringify(id)}, which is not leased to this worker`,
      );
    return lease;
  };
  switch (msg.type) {
    case 'hello':
      return ctx.refuse(conn, 'E_OUT_OF_ORDER', 'a second hello');
    case 'heartbeat':
      return;
    case 'draining':
      if (!conn.draining) log.info(`worker "${conn.name}" (${conn.id}) is draining`);
      conn.draining = true;
      return;
    case 'need_data': {
      const lease = leaseOf(msg.id);
      if (!lease) return;
      if (lease.item.job.dataHash !== msg.hash)
        return ctx.refuse(
          conn,
          'E_OUT_OF_ORDER',
          `need_data for ${msg.hash}, but job ${msg.id} uses ${lease.item.job.dataHash}`,
        );
      const ds = lease.item.run.data.get(msg.hash);
      if (!ds)
        return sendTo(
          conn,
          { type: 'error', code: 'E_NO_DATA', id: msg.id, message: `no data set with hash ${msg.hash}` },
          ctx.maxFrame,
        );
      if (conn.dataSent.has(msg.hash)) log.info(`worker "${conn.name}" asked again for data set ${msg.hash}`);
      let frame: Uint8Array;
      try {
        frame = encodeMessage({ type: 'data', id: msg.id, hash: msg.hash, dataset: ds }, ctx.maxFrame);
      } catch (e) {
        const why = `data set ${ds.name} (${msg.hash}) cannot be sent: ${e instanceof Error ? e.message : String(e)}`;
        sendTo(conn, { type: 'error', code: 'E_NO_DATA', id: msg.id, message: why }, ctx.maxFrame);
        return jobs.failRun(lease.item.run, new CoordinatorError(why));
      }
      conn.dataSent.add(msg.hash);
      conn.ws.send(frame);
      return;
    }
    case 'progress': {
      const lease = leaseOf(msg.id);
      if (!lease || lease.revoked || lease.item.run.settled) return;
      if (msg.progress.key !== lease.item.job.key)
        return ctx.refuse(
          conn,
          'E_OUT_OF_ORDER',
          `progress of ${msg.progress.key} under the id of job ${lease.item.job.key}`,
        );
      try {
        lease.item.run.hooks.onProgress?.(msg.progress);
      } catch (e) {
        log.warn(`coordinator: onProgress threw: ${e instanceof Error ? e.message : String(e)}`);
      }
      return;
    }
    case 'result': {
      const lease = leaseOf(msg.id);
      if (!lease) return;
      const problems = resultProblems(lease.item.job, msg.result);
      if (problems.length)
        return ctx.refuse(
          conn,
          'E_BAD_FRAME',
          `result of ${lease.item.job.key} does not match its job: ${problems.slice(0, 5).join('; ')}`,
        );
      jobs.endLease(lease);
      conn.done++;
      jobs.accepted(lease.item, msg.result, { ms: msg.ms, worker: conn.name });
      return jobs.pump();
    }
    case 'failed': {
      const lease = leaseOf(msg.id);
      if (!lease) return;
      jobs.endLease(lease);
      const { item } = lease;
      if (!lease.revoked) {
        conn.failed++;
        log.warn(`job ${item.job.key} failed on worker "${conn.name}": ${msg.code}: ${msg.message}`);
        jobs.attemptFailed(item, `${msg.code}: ${msg.message} (worker "${conn.name}")`);
      }
      return jobs.pump();
    }
    case 'released': {
      const lease = leaseOf(msg.id);
      if (!lease) return;
      jobs.endLease(lease);
      // Handed back unfinished by a worker that is stopping: not the job's fault, no attempt counted.
      if (!lease.revoked) jobs.requeue(lease.item, true);
      return jobs.pump();
    }
  }
}
