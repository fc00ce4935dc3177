import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../rng.ts';
import { mat } from '../linalg/mat.ts';
import { IDENTITY, Augmenter, addInputNoise, jitterRows, warpImage, type ImageTransform } from './augment.ts';

const S8 = { height: 8, width: 8, channels: 1 };

function warp(src: Float32Array, shape: typeof S8, t: Partial<ImageTransform>): Float32Array {
  const dst = new Float32Array(src.length).fill(NaN);
  warpImage(src, 0, dst, 0, shape, { ...IDENTITY, ...t });
  return dst;
}

function randomImage(shape: typeof S8, seed: number): Float32Array {
  const r = new Rng(seed);
  return Float32Array.from({ length: shape.height * shape.width * shape.channels }, () => r.uniform(0, 16));
}

test('shift by 1 moves a pixel exactly; what leaves the image is gone, what enters is 0', () => {
  const img = new Float32Array(64);
  img[3 * 8 + 4] = 7.25;
  const down = warp(img, S8, { dy: 1 });
  assert.equal(down[4 * 8 + 4], 7.25);
  assert.equal(
    down.reduce((a, b) => a + b, 0),
    7.25,
  );
  const left = warp(img, S8, { dx: -1 });
  assert.equal(left[3 * 8 + 3], 7.25);
  const edge = new Float32Array(64);
  edge[7] = 1; // top-right corner
  assert.ok(warp(edge, S8, { dx: 1 }).every((v) => v === 0));
  const full = randomImage(S8, 1);
  const shifted = warp(full, S8, { dy: -2, dx: 1 });
  for (let r = 0; r < 8; r++) {
    for (let c = 0; c < 8; c++) {
      const sr = r + 2,
        sc = c - 1;
      assert.equal(shifted[r * 8 + c], sr < 8 && sc >= 0 ? full[sr * 8 + sc] : 0);
    }
  }
});

test('identity, rotate 0 and scale 1 reproduce the image exactly; flip twice is the identity', () => {
  const img = randomImage(S8, 2);
  assert.deepEqual(warp(img, S8, {}), img);
  assert.deepEqual(warp(img, S8, { degrees: 0, scale: 1 }), img);
  const once = warp(img, S8, { flip: true });
  assert.equal(once[0], img[7]);
  assert.equal(once[8 * 5 + 2], img[8 * 5 + 5]);
  assert.deepEqual(warp(once, S8, { flip: true }), img);
});

test('multi-channel images keep channels together (HWC)', () => {
  const shape = { height: 3, width: 4, channels: 2 };
  const img = randomImage(shape, 3);
  const flipped = warp(img, shape, { flip: true });
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 4; c++) {
      for (let ch = 0; ch < 2; ch++) assert.equal(flipped[(r * 4 + c) * 2 + ch], img[(r * 4 + 3 - c) * 2 + ch]);
    }
  }
});

test('rotation by 90° turns the image counter-clockwise; 360° comes back', () => {
  const shape = { height: 3, width: 3, channels: 1 };
  const img = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  // Counter-clockwise: the right column becomes the top row.
  assert.deepEqual(Array.from(warp(img, shape, { degrees: 90 })), [3, 6, 9, 2, 5, 8, 1, 4, 7]);
  const full = randomImage(S8, 4);
  const back = warp(full, S8, { degrees: 360 });
  for (let i = 0; i < 64; i++) assert.ok(Math.abs(back[i] - full[i]) < 1e-4);
  // Rotation is about the image centre: an off-centre blob's centre of mass turns by the angle.
  const blob = Float32Array.from({ length: 64 }, (_, i) =>
    Math.exp(-((Math.floor(i / 8) - 3.5) ** 2 + ((i % 8) - 5.5) ** 2)),
  );
  const turned = warp(blob, S8, { degrees: 30 });
  let m = 0,
    mr = 0,
    mc = 0;
  turned.forEach((v, i) => {
    m += v;
    mr += v * Math.floor(i / 8);
    mc += v * (i % 8);
  });
  const angle = Math.atan2(-(mr / m - 3.5), mc / m - 3.5); // y up on screen
  assert.ok(Math.abs(angle - Math.PI / 6) < 0.05, `centre of mass turned by ${(angle * 180) / Math.PI}°`);
});

test('crop-and-rescale: a flat image stays flat, a half crop magnifies the corner', () => {
  const flat = new Float32Array(64).fill(3);
  const z = warp(flat, S8, { scale: 0.6, top: 1.2, left: 2.5 });
  for (const v of z) assert.ok(Math.abs(v - 3) < 1e-6, String(v));
  const shape = { height: 4, width: 4, channels: 1 };
  const img = Float32Array.from({ length: 16 }, (_, i) => i);
  const zoom = warp(img, shape, { scale: 0.5, top: 0, left: 0 });
  // Output pixel centres (c + 0.5)/2 − 0.5 = −0.25, 0.25, 0.75, 1.25 in source pixels; the
  // first is inside the image's edge pixel and clamps to it.
  assert.deepEqual(Array.from(zoom.subarray(0, 4)), [0, 0.25, 0.75, 1.25]);
  assert.equal(zoom[15], 4 * 1.25 + 1.25);
});

test('Augmenter: deterministic, stays within the asked shift, rejects image options on tabular data', () => {
  const aug = new Augmenter({ shift: 1 }, S8);
  assert.ok(aug.active);
  const img = new Float32Array(64);
  img[3 * 8 + 3] = 1;
  const batch = mat(20, 64);
  for (let i = 0; i < 20; i++) batch.data.set(img, i * 64);
  const twin = mat(20, 64, batch.data.slice());
  aug.apply(batch, new Rng(7));
  new Augmenter({ shift: 1 }, S8).apply(twin, new Rng(7));
  assert.deepEqual(batch.data, twin.data);
  let moved = 0;
  for (let i = 0; i < 20; i++) {
    const row = batch.data.subarray(i * 64, (i + 1) * 64);
    const at = row.indexOf(1);
    assert.equal(
      row.reduce((a, b) => a + b, 0),
      1,
    );
    assert.ok(Math.abs(Math.floor(at / 8) - 3) <= 1 && Math.abs((at % 8) - 3) <= 1);
    if (at !== 27) moved++;
  }
  assert.ok(moved > 5, `only ${moved} of 20 images moved`);
  assert.throws(() => new Augmenter({ rotate: 10 }), /need image data/);
  assert.throws(() => new Augmenter({ shift: 1 }, S8).apply(mat(2, 10), new Rng(0)), /not 8×8×1 images/);
  assert.equal(new Augmenter({}).active, false);
});

test('Augmenter with every option keeps values finite and within the input range', () => {
  const aug = new Augmenter({ shift: 2, rotate: 15, flip: true, scale: 0.2 }, S8);
  const batch = mat(16, 64);
  const rng = new Rng(8);
  for (let i = 0; i < batch.data.length; i++) batch.data[i] = rng.uniform(0, 16);
  const before = batch.data.slice();
  aug.apply(batch, rng);
  aug.apply(batch, rng); // second call reuses the scratch buffer
  assert.ok(batch.data.every((v) => Number.isFinite(v) && v >= 0 && v <= 16 + 1e-4));
  assert.notDeepEqual(batch.data, before);
});

test('addInputNoise and jitter add Gaussian noise of the asked std, only to the batch rows', () => {
  const b = mat(500, 40, new Float32Array(500 * 40 + 5));
  addInputNoise(b, 0.5, new Rng(9));
  let s = 0,
    s2 = 0;
  for (let i = 0; i < 20000; i++) {
    s += b.data[i];
    s2 += b.data[i] ** 2;
  }
  assert.ok(Math.abs(s / 20000) < 0.02);
  assert.ok(Math.abs(Math.sqrt(s2 / 20000) - 0.5) < 0.01);
  assert.ok(
    b.data.subarray(20000).every((v) => v === 0),
    'spare capacity untouched',
  );
  const zero = mat(2, 3);
  addInputNoise(zero, 0, new Rng(0));
  assert.ok(zero.data.every((v) => v === 0));
  const j = mat(1000, 2);
  jitterRows(j, [0, 2], new Rng(10));
  let c0 = 0,
    c1 = 0;
  for (let i = 0; i < 1000; i++) {
    c0 += j.data[2 * i] ** 2;
    c1 += j.data[2 * i + 1] ** 2;
  }
  assert.equal(c0, 0);
  assert.ok(Math.abs(Math.sqrt(c1 / 1000) - 2) < 0.15);
  const tab = new Augmenter({ jitter: 0.1 });
  const t = mat(4, 3);
  tab.apply(t, new Rng(1));
  assert.ok(t.data.some((v) => v !== 0));
});
