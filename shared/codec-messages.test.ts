import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CodecError, crc32, decodeMessage as decode, encodeMessage as encode } from './codec.ts';
import { validateMessage } from './protocol-validate.ts';
import type { Message } from './protocol.ts';
import { plan } from './experiment/plan.ts';
import { runJob } from './experiment/executor.ts';
import { makeDataset } from './data/make.ts';
import { Rng } from './rng.ts';

function fixtures(): Message[] {
  const p = plan(
    {
      seed: 3,
      dataset: { name: 'moons', samples: 60, noise: 0.3, testFraction: 0.2 },
      model: { kind: 'mlp', hidden: [4], activation: 'tanh' },
      loss: { kind: 'cross_entropy' },
      optimizer: { name: 'adam', lr: 0.01 },
      training: { epochs: 2, batchSize: 8 },
      evaluation: { kind: 'kfold', k: 3 },
      analysis: { keepWeights: true },
    },
    (s, r) => makeDataset(s, r),
  );
  const job = p.jobs[0];
  const result = runJob(job, p.data[0].data);
  // Numbers JSON cannot spell, as a diverged run produces them.
  result.history[0].val_loss = Number.NaN;
  result.history[1].val_loss = Infinity;
  result.final.val.loss = -Infinity;
  result.analysis = { sharp: -0 };
  return [
    { type: 'challenge', version: 1, nonce: 'ab'.repeat(16), kernels: { name: 'js' } },
    { type: 'job', id: '1.7', job: { ...job, weights: new Float32Array([0.5, Number.NaN, -0, 1e-45]) } },
    { type: 'data', id: '1.7', hash: p.data[0].hash, dataset: p.data[0].data },
    { type: 'result', id: '1.7', result, ms: 12.5 },
    { type: 'progress', id: '1.7', progress: { key: job.key, epoch: 1, epochs: 2, record: result.history[0] } },
    { type: 'heartbeat', running: [] },
    { type: 'draining' },
  ];
}

/** The message as it should come back: properties set to undefined are absent (as in JSON). */
function withoutUndefined<T>(v: T): T {
  if (Array.isArray(v)) return v.map(withoutUndefined) as T;
  if (typeof v !== 'object' || v === null || ArrayBuffer.isView(v)) return v;
  return Object.fromEntries(
    Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => [k, withoutUndefined(x)]),
  ) as T;
}

test('encode/decode round-trips messages exactly: typed arrays by type and bits, NaN, ±Infinity, −0, $-keys', () => {
  for (const m of fixtures()) {
    const frame = encode(m);
    assert.equal(frame.length % 8, 4, 'blocks 8-aligned, then the 4-byte checksum');
    const back = decode(frame);
    assert.deepStrictEqual(back, withoutUndefined(m), m.type);
    assert.deepEqual(validateMessage(back), [], m.type);
  }
  const sent = (fixtures()[1] as Extract<Message, { type: 'job' }>).job.weights!;
  const got = (decode(encode(fixtures()[1])) as Extract<Message, { type: 'job' }>).job.weights!;
  assert.deepEqual(new Uint32Array(got.buffer), new Uint32Array(sent.buffer), 'same bits, NaN payload and −0 included');
  const odd = {
    type: 'heartbeat',
    running: [],
    $a: 1,
    $$n: { $n: 'NaN' },
    f64: new Float64Array([Math.PI, -0]),
    i32: new Int32Array([-1, 2 ** 31 - 1]),
  } as unknown as Message;
  const back: unknown = decode(encode(odd));
  assert.deepStrictEqual(back, odd);
  assert.ok(Object.is(((back as Record<string, unknown>).f64 as Float64Array)[1], -0));
  // A frame inside a larger, unaligned buffer (as a socket hands it over) decodes too, into aligned copies.
  const frame = encode(fixtures()[1]);
  const host = new Uint8Array(frame.length + 3);
  host.set(frame, 3);
  const job = decode(host.subarray(3)) as Extract<Message, { type: 'job' }>;
  assert.equal(job.job.train.byteOffset, 0);
  assert.deepStrictEqual(job.job.train, (fixtures()[1] as Extract<Message, { type: 'job' }>).job.train);
});

function expectCodecError(bytes: Uint8Array, code: string, pattern: RegExp): void {
  assert.throws(
    () => decode(bytes, 1 << 20),
    (e: unknown) => e instanceof CodecError && e.code === code && pattern.test(e.message),
    pattern.source,
  );
}

/**
 * A frame as a correct encoder lays it out, from metadata text and blocks, with a correct
 * checksum (unless `crc` is given): so each case exercises a check other than the checksum.
 */
function frameOf(
  meta: unknown,
  blocks: { code: number; count: number; data?: number[] }[] = [],
  o: { kind?: number; crc?: number; pad?: number } = {},
): Uint8Array {
  const m = new TextEncoder().encode(typeof meta === 'string' ? meta : JSON.stringify(meta));
  const align = (n: number) => (n + 7) & ~7;
  const metaStart = 16 + 8 * blocks.length;
  let size = align(metaStart + m.length);
  const starts = blocks.map((b) => {
    const s0 = size;
    size = align(size + (b.data?.length ?? 0));
    return s0;
  });
  const out = new Uint8Array(size + 4);
  const view = new DataView(out.buffer);
  out.set([0x4f, 0x4c, 0x61, 0x62]);
  view.setUint16(4, 1, true);
  view.setUint16(6, o.kind ?? 3, true);
  view.setUint32(8, m.length, true);
  view.setUint32(12, blocks.length, true);
  blocks.forEach((b, i) => {
    view.setUint8(16 + 8 * i, b.code);
    view.setUint32(20 + 8 * i, b.count, true);
    out.set(b.data ?? [], starts[i]);
  });
  out.set(m, metaStart);
  if (o.pad !== undefined && metaStart + m.length < align(metaStart + m.length)) out[metaStart + m.length] = o.pad;
  view.setUint32(size, o.crc ?? crc32(out, 0, size), true);
  return out;
}

const marker = (v: unknown) => ({ '\u0000': v });

test('malformed frames are refused with E_BAD_FRAME / E_TOO_BIG and a reason', () => {
  const good = encode({ type: 'heartbeat', running: ['a'] });
  assert.deepEqual(decode(frameOf({ type: 'heartbeat', running: ['a'] })), { type: 'heartbeat', running: ['a'] });
  expectCodecError(new Uint8Array(3), 'E_BAD_FRAME', /shorter than the header/);
  expectCodecError(new Uint8Array(1 << 21), 'E_TOO_BIG', /over the limit/);
  expectCodecError(
    Uint8Array.from({ length: 24 }, (_, i) => i),
    'E_BAD_FRAME',
    /magic/,
  );
  const long = good.slice();
  new DataView(long.buffer).setUint32(8, 1e6, true);
  expectCodecError(long, 'E_BAD_FRAME', /describes more than/);
  expectCodecError(new Uint8Array([...good, 0, 0, 0, 0, 0, 0, 0, 0]), 'E_BAD_FRAME', /unexpected bytes after/);
  const flipped = good.slice();
  flipped[20] ^= 1;
  expectCodecError(flipped, 'E_BAD_FRAME', /checksum/);
  expectCodecError(
    frameOf({ type: 'x' }, [], { kind: 1 }),
    'E_BAD_FRAME',
    /expected a protocol message blob, got job result/,
  );
  expectCodecError(frameOf('{"type":"draining"'), 'E_BAD_FRAME', /not valid JSON/);
  expectCodecError(
    frameOf({ type: 'x', v: marker(0) }, [{ code: 99, count: 1, data: [0, 0, 0, 0] }]),
    'E_BAD_FRAME',
    /unknown element type/,
  );
  expectCodecError(
    frameOf({ type: 'x', v: marker(0) }, [{ code: 1, count: 1000, data: [0, 0, 0, 0] }]),
    'E_BAD_FRAME',
    /truncated/,
  );
  expectCodecError(
    frameOf({ type: 'x', v: marker(1) }, [{ code: 1, count: 1, data: [0, 0, 0, 0] }]),
    'E_BAD_FRAME',
    /bad marker 1/,
  );
  expectCodecError(
    frameOf({ type: 'x', v: [marker(0), marker(0)] }, [{ code: 1, count: 1, data: [0, 0, 0, 0] }]),
    'E_BAD_FRAME',
    /bad marker 0/,
  );
  expectCodecError(
    frameOf({ type: 'x' }, [{ code: 1, count: 1, data: [0, 0, 0, 0] }]),
    'E_BAD_FRAME',
    /not referenced/,
  );
  expectCodecError(
    frameOf({ type: 'x', v: marker(0) }, [{ code: 1, count: 1, data: [0, 0, 0, 0, 9, 0, 0, 0] }]),
    'E_BAD_FRAME',
    /non-zero padding after block 0/,
  );
  expectCodecError(frameOf({ type: 'xx' }, [], { pad: 7 }), 'E_BAD_FRAME', /non-zero padding after the metadata/);
  expectCodecError(frameOf({ type: 'x', v: marker('NaNa') }), 'E_BAD_FRAME', /bad marker "NaNa"/);
  expectCodecError(frameOf({ type: 'x', v: { '\u0000': 1, b: 2 } }), 'E_BAD_FRAME', /reserved NUL/);
  expectCodecError(frameOf('{"type":"x","__proto__":{"polluted":1}}'), 'E_BAD_FRAME', /__proto__/);
  expectCodecError(frameOf([1]), 'E_BAD_FRAME', /not an object/);
  let deep: unknown = 1;
  for (let i = 0; i < 100; i++) deep = [deep];
  expectCodecError(frameOf({ type: 'x', deep }), 'E_BAD_FRAME', /nested/);
  const badUtf8 = frameOf({ type: 'xx' });
  badUtf8[26] = 0xff;
  new DataView(badUtf8.buffer).setUint32(badUtf8.length - 4, crc32(badUtf8, 0, badUtf8.length - 4), true);
  expectCodecError(badUtf8, 'E_BAD_FRAME', /UTF-8/);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('encode refuses what the framing cannot carry', () => {
  const bad = (v: unknown, code: string, pattern: RegExp) =>
    assert.throws(
      () => encode(v as Message, 1 << 20),
      (e: unknown) => e instanceof CodecError && e.code === code && pattern.test(e.message),
    );
  bad({ type: 'x', v: new Uint8ClampedArray(2) }, 'E_BAD_FRAME', /Uint8ClampedArray/);
  bad({ type: 'x', v: new Map() }, 'E_BAD_FRAME', /Map/);
  bad({ type: 'x', v: 1n }, 'E_BAD_FRAME', /bigint/);
  bad({ type: 'x', v: new Float64Array(1 << 18) }, 'E_TOO_BIG', /over the limit/);
});

test('fuzz: random byte strings and mutations of valid frames give a clean result or a CodecError, never a crash', () => {
  const rng = new Rng(20261125);
  const valid = fixtures().map((m) => encode(m));
  let refused = 0,
    decoded = 0;
  const attempt = (bytes: Uint8Array) => {
    try {
      const m = decode(bytes, 1 << 20);
      validateMessage(m); // must not throw either, whatever the decoded shape
      decoded++;
    } catch (e) {
      assert.ok(
        e instanceof CodecError && (e.code === 'E_BAD_FRAME' || e.code === 'E_TOO_BIG'),
        `unexpected ${e instanceof Error ? e.stack : String(e)}`,
      );
      refused++;
    }
  };
  for (let i = 0; i < 300; i++) {
    const n = rng.int(64);
    const bytes = new Uint8Array(n);
    for (let j = 0; j < n; j++) bytes[j] = rng.int(256);
    if (n >= 4 && rng.next() < 0.5) bytes.set([0x4f, 0x4c, 0x61, 0x62]);
    attempt(bytes);
  }
  for (let i = 0; i < 1500; i++) {
    const base = valid[rng.int(valid.length)];
    let bytes = base.slice();
    const kind = rng.int(4);
    if (kind === 0) for (let k = 1 + rng.int(4); k > 0; k--) bytes[rng.int(bytes.length)] = rng.int(256);
    else if (kind === 1) bytes = bytes.slice(0, rng.int(bytes.length));
    else if (kind === 2) {
      const extra = new Uint8Array(1 + rng.int(16));
      for (let j = 0; j < extra.length; j++) extra[j] = rng.int(256);
      bytes = new Uint8Array([...bytes, ...extra]);
    } else {
      // Mutate inside the metadata, where the structure lives, and fix the checksum so the structure's own checks are reached.
      const view = new DataView(bytes.buffer);
      const metaStart = 16 + 8 * view.getUint32(12, true);
      const m = view.getUint32(8, true);
      bytes[metaStart + rng.int(Math.max(1, m))] = 32 + rng.int(95);
      view.setUint32(bytes.length - 4, crc32(bytes, 0, bytes.length - 4), true);
    }
    attempt(bytes);
  }
  assert.ok(refused > 1000 && decoded > 0, `refused ${refused}, decoded ${decoded}`);
});
