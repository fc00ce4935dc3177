import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 as zlibCrc32 } from 'node:zlib';
import {
  CodecError,
  bytesFloat32,
  crc32,
  decodeDataset,
  decodeJobResult,
  decodeValue,
  encodeDataset,
  encodeJobResult,
  encodeValue,
  float32Bytes,
  readElements,
  writeElements,
  KIND,
} from './codec.ts';
import { readFileSync } from 'node:fs';
import { plan } from './experiment/plan.ts';
import { runJob } from './experiment/executor.ts';
import type { ExperimentSpec, JobResult } from './experiment/types.ts';
import { makeDataset } from './data/make.ts';
import { parseBundled } from './data/bundled.ts';
import { datasetHash } from './data/dataset.ts';
import { Rng } from './rng.ts';

/** The bundled digits (images), read as the Node side reads them. */
const loadDigits = () =>
  parseBundled('digits', readFileSync(new URL('./data/bundled/digits.csv', import.meta.url), 'utf8'));

/** JSON with typed arrays spelled out with their type, so "same JSON" also means "same array types". */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    ArrayBuffer.isView(x)
      ? {
          [x.constructor.name]: Array.from(x as Float32Array, (f) =>
            Number.isNaN(f) ? 'NaN' : Object.is(f, -0) ? '-0' : String(f),
          ),
        }
      : x,
  );
}

/** Bit-for-bit equality of two typed arrays (NaN equals NaN, −0 differs from 0). */
function sameBits(a: ArrayBufferView, b: ArrayBufferView): boolean {
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

function randomFloats(rng: Rng, n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (rng.next() - 0.5) * 10 ** Math.floor(rng.next() * 20 - 10);
  return a;
}

function syntheticResult(key: string, rng = new Rng(3)): JobResult {
  return {
    key,
    history: [
      { epoch: 1, lr: 0.1, penalty: 0, train_loss: 0.9, val_loss: 1.1, val_accuracy: 0.5 },
      {
        epoch: 2,
        lr: 0.05,
        penalty: 1e-7,
        train_loss: Number.NaN,
        val_loss: Number.POSITIVE_INFINITY,
        val_accuracy: Number.NEGATIVE_INFINITY,
      },
    ],
    final: {
      train: { loss: 0.1, accuracy: 1 },
      val: { loss: -0, accuracy: 0.3333333333333333 },
      test: { loss: Number.NaN },
    },
    bestEpoch: 1,
    stoppedEarly: true,
    diverged: true,
    paramCount: 42,
    outDim: 3,
    outputs: {
      val: randomFloats(rng, 30),
      test: new Float32Array(0),
      oob: new Float32Array([
        Number.NaN,
        Number.POSITIVE_INFINITY,
        Number.NEGATIVE_INFINITY,
        -0,
        0,
        1e-45,
        3.4028234663852886e38,
      ]),
    },
    analysis: { 'sharpness@0.001': 0.25, hessian_top: 1e300 },
    state: randomFloats(rng, 17),
  };
}

function assertSameResult(a: JobResult, b: JobResult): void {
  assert.equal(JSON.stringify(b), JSON.stringify(a));
  assert.equal(canonical(b), canonical(a));
  for (const k of Object.keys(a.outputs)) {
    assert.ok(b.outputs[k] instanceof Float32Array);
    assert.ok(sameBits(a.outputs[k], b.outputs[k]), `outputs.${k} bit-identical`);
  }
  if (a.state) assert.ok(b.state instanceof Float32Array && sameBits(a.state, b.state));
}

test('codec: a job result with NaN, ±Infinity, −0 and empty arrays round-trips exactly', () => {
  const r = syntheticResult('config=0/repeat=0/fold=1');
  const back = decodeJobResult(encodeJobResult(r));
  assertSameResult(r, back);
  assert.ok(Number.isNaN(back.history[1].train_loss));
  assert.equal(back.history[1].val_loss, Number.POSITIVE_INFINITY);
  assert.equal(back.history[1].val_accuracy, Number.NEGATIVE_INFINITY);
  assert.ok(Object.is(back.final.val.loss, -0));
  assert.equal(back.analysis!.hessian_top, 1e300);
  assert.equal(back.outputs.test.length, 0);
  assert.deepEqual(Object.keys(back), Object.keys(r), 'key order kept');
});

test('codec: random float32 arrays of many sizes are bit-identical after a round trip', () => {
  const rng = new Rng(17);
  for (const n of [0, 1, 2, 3, 7, 8, 9, 1000, 4097]) {
    const a = randomFloats(rng, n);
    const r: JobResult = { ...syntheticResult('k'), outputs: { a }, state: a.subarray(1) };
    const back = decodeJobResult(encodeJobResult(r));
    assert.ok(sameBits(back.outputs.a, a), `n=${n}`);
    assert.ok(sameBits(back.state!, a.subarray(1)));
  }
});

test('codec: deterministic bytes and a compact size (arrays are raw float32, not text)', () => {
  const r = syntheticResult('k');
  const a = encodeJobResult(r);
  assert.deepEqual(encodeJobResult(syntheticResult('k')), a);
  const big: JobResult = { ...r, outputs: { val: new Float32Array(10000).fill(0.123456789) } };
  const size = encodeJobResult(big).length;
  assert.ok(size < 40000 + 2000, `size ${size}`);
});

test('codec: a real JobResult from runJob (with analysis and kept weights) round-trips bit for bit', () => {
  const spec: ExperimentSpec = {
    seed: 5,
    dataset: { name: 'moons', samples: 60, noise: 0.3, testFraction: 0.2 },
    model: { kind: 'mlp', hidden: [4], activation: 'tanh' },
    loss: { kind: 'cross_entropy' },
    optimizer: { name: 'adam', lr: 0.05 },
    training: { epochs: 3, batchSize: 16 },
    evaluation: { kind: 'kfold', k: 2 },
    analysis: { sharpness: { epsilons: [0.001] }, hessian: { iterations: 3 }, keepWeights: true },
  };
  const p = plan(spec, (d, rng) => makeDataset(d, rng));
  const r = runJob(p.jobs[0], p.data[0].data);
  assert.ok(r.analysis && Object.keys(r.analysis).length >= 2, 'the analysis ran');
  assert.ok(r.state && r.state.length === r.paramCount);
  assert.ok(Object.keys(r.outputs).length > 0);
  assertSameResult(r, decodeJobResult(encodeJobResult(r)));
});

test('codec: data sets round-trip (bundled images, synthetic truth) and keep their hash', () => {
  const digits = loadDigits();
  const sine = makeDataset({ name: 'sine', samples: 50, noise: 0.2 }, new Rng(1));
  for (const ds of [digits, sine]) {
    const back = decodeDataset(encodeDataset(ds));
    assert.equal(datasetHash(back), datasetHash(ds));
    assert.ok(sameBits(back.x, ds.x) && sameBits(back.y, ds.y));
    assert.deepEqual(back.image, ds.image);
    assert.deepEqual(back.truth, ds.truth);
  }
  assert.throws(() => decodeJobResult(encodeDataset(sine)), /expected a job result blob, got data set/);
});

test('codec: corrupt or truncated blobs give a clear CodecError', () => {
  const good = encodeJobResult(syntheticResult('k'));
  const cases: [Uint8Array, RegExp][] = [
    [good.subarray(0, 10), /truncated: 10 bytes is shorter than the header/],
    [good.subarray(0, good.length - 1), /truncated: \d+ bytes, the header describes \d+/],
    [good.subarray(0, good.length / 2), /truncated/],
    [new Uint8Array([...good, 0]), /corrupt: 1 unexpected bytes after the data/],
    [new Uint8Array(64), /not OptLab data \(bad magic bytes\)/],
  ];
  const flipped = good.slice();
  flipped[flipped.length - 20] ^= 0x10;
  cases.push([flipped, /corrupt: checksum mismatch/]);
  const newer = good.slice();
  newer[4] = 9;
  cases.push([newer, /format version 9 is newer than this OptLab reads \(1\)/]);
  const manyBlocks = good.slice();
  new DataView(manyBlocks.buffer).setUint32(12, 0x7fffffff, true);
  cases.push([manyBlocks, /corrupt: 2147483647 blocks, more than 4096/]);
  for (const [bytes, re] of cases) {
    assert.throws(
      () => decodeJobResult(bytes),
      (e: unknown) => e instanceof CodecError && re.test(e.message),
      re.source,
    );
  }
});

test('codec: a well-formed blob whose content is not a job result is refused with the field named', () => {
  const bytes = encodeValue(KIND.jobResult, {
    key: 3,
    history: [],
    final: {},
    bestEpoch: 0,
    stoppedEarly: false,
    diverged: false,
    paramCount: 1,
    outDim: 1,
    outputs: { val: new Float64Array(2) },
  });
  assert.throws(
    () => decodeJobResult(bytes),
    /corrupt job result: result\.key: must be a string, got number 3; .*result\.outputs\.val: must be a Float32Array, got Float64Array/,
  );
});

test('codec: values it cannot represent are refused at encode time, not mangled', () => {
  assert.throws(() => encodeValue(KIND.jobResult, { a: new Map() }), /\$\.a: cannot encode a Map/);
  assert.throws(() => encodeValue(KIND.jobResult, { a: 1n }), /cannot encode a bigint/);
  assert.throws(() => encodeValue(KIND.jobResult, { '\u0000x': 1 }), /reserves/);
  assert.throws(
    () => encodeValue(KIND.jobResult, { a: new Uint8ClampedArray(2) }),
    /cannot encode a Uint8ClampedArray/,
  );
  assert.throws(
    () => encodeJobResult({ key: 'k' } as unknown as JobResult),
    /cannot encode job result: result\.history: must be a list/,
  );
});

test('codec: every typed array type comes back as the same type, and nested values keep their shape', () => {
  const v = {
    a: new Int8Array([-1, 2]),
    b: new Uint16Array([65535]),
    c: new Int32Array([-5]),
    d: new Uint32Array([4e9]),
    e: new Float64Array([Math.PI, Number.NaN]),
    f: [new Uint8Array([1, 2, 3]), null, { g: -0 }],
  };
  const back = decodeValue(KIND.jobResult, encodeValue(KIND.jobResult, v));
  assert.equal(canonical(back), canonical(v));
});

test('codec: the portable (DataView) path writes the same bytes as the fast little-endian path', () => {
  const a = randomFloats(new Rng(9), 33);
  const fast = new Uint8Array(a.byteLength);
  const slow = new Uint8Array(a.byteLength);
  writeElements(a, fast, 0, true);
  writeElements(a, slow, 0, false);
  assert.deepEqual(slow, fast);
  assert.ok(sameBits(readElements(Float32Array, slow, 0, 33, false), a));
  assert.ok(sameBits(bytesFloat32(float32Bytes(a)), a));
  assert.throws(
    () => bytesFloat32(new Uint8Array(5), 'x column'),
    /x column: 5 bytes is not a whole number of float32 values/,
  );
});

test('codec: crc32 matches zlib', () => {
  const bytes = new TextEncoder().encode('The quick brown fox jumps over the lazy dog');
  assert.equal(crc32(bytes), zlibCrc32(bytes));
  assert.equal(crc32(bytes), 0x414fa339);
  assert.equal(crc32(new Uint8Array(0)), 0);
});
