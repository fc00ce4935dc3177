/**
 * Helpers of the coordinator's tests: a raw protocol client (to play a worker that
 * misbehaves), bounded waits, a logger that keeps its lines, and small experiment specs.
 */
import WebSocket from 'ws';
import type { CoordinatorLogger } from './coordinator.ts';
import { hmacHex } from '../../worker/auth.ts';
import { decodeMessage as decode, encodeMessage as encode } from '../../shared/codec.ts';
import { PROTOCOL_VERSION, type BackendSpec, type LabMessage, type WorkerMessage } from '../../shared/protocol.ts';
import type { LoadData } from '../../shared/experiment/plan.ts';
import { makeDataset } from '../../shared/data/make.ts';
import type { ExperimentSpec } from '../../shared/experiment/types.ts';
import { useFastKernels } from '../kernels.ts';

// The in-process reference runs must train with the kernels the workers are told to use.
useFastKernels();

export const load: LoadData = (spec, rng) => makeDataset(spec, rng);

/** Moons with an MLP: a few tenths of a second per job, so that runs have a middle to act in. */
export function moonsSpec(over: Partial<ExperimentSpec> = {}): ExperimentSpec {
  return {
    seed: 21,
    dataset: { name: 'moons', samples: 240, noise: 0.3, testFraction: 0.2 },
    model: { kind: 'mlp', hidden: [12], activation: 'tanh' },
    loss: { kind: 'cross_entropy' },
    optimizer: { name: 'adam', lr: 0.01 },
    training: { epochs: 120, batchSize: 16 },
    evaluation: { kind: 'kfold', k: 4 },
    sweep: {
      optimizer: [
        { name: 'sgd', lr: 0.1, momentum: 0.9, nesterov: true },
        { name: 'adam', lr: 0.01 },
      ],
    },
    analysis: { keepWeights: true },
    ...over,
  };
}

export function memoryLogger(echo = false): CoordinatorLogger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (l: string) => {
    lines.push(l);
    if (echo) console.error(l);
  };
  return { lines, info: keep, warn: keep };
}

export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<never>((_, reject) => {
      t = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]);
}

export async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A hand-driven protocol client. */
export class RawClient {
  readonly received: LabMessage[] = [];
  readonly closed: Promise<number>;
  #read = 0;
  #wake?: () => void;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      this.received.push(decode(new Uint8Array(data)) as LabMessage);
      this.#wake?.();
    });
    ws.on('error', () => {});
    this.closed = new Promise((resolve) =>
      ws.on('close', (code) => {
        resolve(code);
        this.#wake?.();
      }),
    );
  }

  static connect(url: string): Promise<RawClient> {
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 1 << 30 });
    return within(
      new Promise((resolve, reject) => {
        ws.once('open', () => resolve(new RawClient(ws)));
        ws.once('error', reject);
      }),
      5000,
      'a raw connection',
    );
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** The next message matching `pred` (skipping others), within `ms`. */
  async next(pred: (m: LabMessage) => boolean = () => true, ms = 5000): Promise<LabMessage> {
    const end = performance.now() + ms;
    for (;;) {
      while (this.#read < this.received.length) {
        const m = this.received[this.#read++];
        if (pred(m)) return m;
      }
      const left = end - performance.now();
      if (left <= 0 || this.ws.readyState === WebSocket.CLOSED)
        throw new Error(`no matching message within ${ms} ms (got ${this.received.map((m) => m.type).join(', ')})`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  send(msg: WorkerMessage | Record<string, unknown>): void {
    this.ws.send(encode(msg as WorkerMessage));
  }

  sendBytes(bytes: Uint8Array | string): void {
    this.ws.send(bytes);
  }

  async authenticate(token: string, name: string, slots = 1, backend?: BackendSpec): Promise<void> {
    const ch = await this.next((m) => m.type === 'challenge');
    if (ch.type !== 'challenge') throw new Error('no challenge');
    const hello = { type: 'hello' as const, version: PROTOCOL_VERSION, name, slots, hmac: hmacHex(token, ch.nonce) };
    this.send(backend ? { ...hello, backend } : hello);
    await this.next((m) => m.type === 'welcome');
  }

  /** Waits for an error with `code` and for the Lab to close the connection. */
  async refusedWith(code: string): Promise<string> {
    const e = await this.next((m) => m.type === 'error');
    if (e.type !== 'error' || e.code !== code) throw new Error(`expected error ${code}, got ${JSON.stringify(e)}`);
    await within(this.closed, 5000, `the Lab to close the connection after ${code}`);
    return e.message;
  }

  close(): void {
    this.ws.terminate();
  }
}
