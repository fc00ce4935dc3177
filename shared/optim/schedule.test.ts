import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lrAt, lrSchedule, validateSchedule } from './schedule.ts';

function near(a: number, b: number, tol = 1e-12): void {
  assert.ok(Math.abs(a - b) <= tol, `got ${a}, expected ${b}`);
}

test('no schedule and constant keep the base rate', () => {
  assert.equal(lrAt(undefined, 0.1, 7), 0.1);
  assert.equal(lrAt(null, 0.1, 0), 0.1);
  assert.equal(lrAt({ kind: 'constant' }, 0.1, 99), 0.1);
});

test('step: γ₀·gamma^⌊e/step_size⌋, gamma 0.1 by default', () => {
  const s = { kind: 'step', step_size: 3 } as const;
  near(lrAt(s, 1, 0), 1);
  near(lrAt(s, 1, 2), 1);
  near(lrAt(s, 1, 3), 0.1);
  near(lrAt(s, 1, 5), 0.1);
  near(lrAt(s, 1, 6), 0.01);
  near(lrAt({ kind: 'step', step_size: 2, gamma: 0.5 }, 0.4, 5), 0.1);
});

test('exponential: γ₀·gamma^e', () => {
  near(lrAt({ kind: 'exponential', gamma: 0.5 }, 1, 3), 0.125);
  near(lrAt({ kind: 'exponential', gamma: 0.9 }, 0.1, 0), 0.1);
});

test('cosine: η_min + (γ₀ − η_min)(1 + cos(πe/T_max))/2', () => {
  const s = { kind: 'cosine', T_max: 10, eta_min: 0.1 } as const;
  near(lrAt(s, 1, 0), 1);
  near(lrAt(s, 1, 5), 0.55);
  near(lrAt(s, 1, 10), 0.1);
  // quarter period: (1 + cos(π/4))/2 = (2 + √2)/4
  near(lrAt({ kind: 'cosine', T_max: 8 }, 2, 2), (2 * (2 + Math.SQRT2)) / 4);
});

test('the closed forms agree with torch’s chainable (recursive) get_lr over several periods', () => {
  // CosineAnnealingLR.get_lr, as written in torch.optim.lr_scheduler
  const base = 0.5,
    etaMin = 0.01,
    T = 6;
  let lr = base;
  for (let e = 0; e <= 3 * T; e++) {
    if (e === 0) lr = base;
    else if ((e - 1 - T) % (2 * T) === 0) lr = lr + ((base - etaMin) * (1 - Math.cos(Math.PI / T))) / 2;
    else lr = ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (lr - etaMin) + etaMin;
    near(lrAt({ kind: 'cosine', T_max: T, eta_min: etaMin }, base, e), lr, 1e-12);
  }
  // StepLR.get_lr: multiply by gamma when e is a positive multiple of step_size
  lr = base;
  for (let e = 0; e <= 20; e++) {
    if (e > 0 && e % 4 === 0) lr *= 0.3;
    near(lrAt({ kind: 'step', step_size: 4, gamma: 0.3 }, base, e), lr, 1e-14);
  }
});

test('linear warm-up from warmup_start_factor (1/3 by default), then the main schedule from its epoch 0', () => {
  const s = { kind: 'step', step_size: 3, warmup_epochs: 4 } as const;
  near(lrAt(s, 0.3, 0), 0.1);
  near(lrAt(s, 0.3, 2), 0.2); // 0.3·(1/3 + (2/3)·(2/4))
  near(lrAt(s, 0.3, 4), 0.3);
  near(lrAt(s, 0.3, 6), 0.3);
  near(lrAt(s, 0.3, 7), 0.03);
  const c = { kind: 'cosine', T_max: 4, warmup_epochs: 2, warmup_start_factor: 0.5 } as const;
  assert.deepEqual(
    lrSchedule(c, 1, 7).map((x) => Math.round(x * 1e12) / 1e12),
    [
      0.5,
      0.75,
      1,
      Math.round(((1 + Math.SQRT1_2) / 2) * 1e12) / 1e12,
      0.5,
      Math.round(((1 - Math.SQRT1_2) / 2) * 1e12) / 1e12,
      0,
    ],
  );
});

test('the warm-up agrees with torch’s chainable LinearLR.get_lr', () => {
  const base = 0.9,
    f = 0.25,
    W = 5;
  let lr = base * f;
  for (let e = 0; e < W; e++) {
    if (e > 0) lr = lr * (1 + (1 - f) / (W * f + (e - 1) * (1 - f)));
    near(lrAt({ kind: 'constant', warmup_epochs: W, warmup_start_factor: f }, base, e), lr, 1e-14);
  }
});

test('validateSchedule lists every problem with its path', () => {
  assert.deepEqual(validateSchedule(null, 'training.schedule'), []);
  assert.deepEqual(validateSchedule({ kind: 'cosine', T_max: 10 }, 'training.schedule'), []);
  assert.deepEqual(
    validateSchedule({ kind: 'step', step_size: 0, gamma: -1, T_max: 3, warmup_start_factor: 0 }, 'training.schedule'),
    [
      'training.schedule.T_max: unknown option for step (known: kind, step_size, gamma, warmup_epochs, warmup_start_factor)',
      'training.schedule.step_size: must be >= 1, got 0',
      'training.schedule.gamma: must be > 0, got -1',
      'training.schedule.warmup_start_factor: must be in (0, 1], got 0',
    ],
  );
  assert.deepEqual(validateSchedule({ kind: 'exponential' }, 's'), ['s.gamma: required for exponential (must be > 0)']);
  assert.deepEqual(validateSchedule({ kind: 'cosine', T_max: 2.5, warmup_epochs: -1 }, 's'), [
    's.T_max: must be an integer, got 2.5',
    's.warmup_epochs: must be >= 0, got -1',
  ]);
  assert.deepEqual(validateSchedule({ kind: 'linear' }, 's'), [
    's.kind: unknown schedule "linear" (known: constant, step, exponential, cosine)',
  ]);
  assert.deepEqual(validateSchedule('cosine', 's'), [
    's: must be an object with a "kind" (one of constant, step, exponential, cosine), got "cosine"',
  ]);
});

test('lrAt refuses an invalid spec or epoch', () => {
  assert.throws(() => lrAt({ kind: 'step' } as never, 0.1, 1), /schedule\.step_size: required for step/);
  assert.throws(() => lrAt(null, 0.1, -1), /epoch must be an integer >= 0/);
  assert.throws(() => lrAt(null, 0.1, 1.5), /epoch must be an integer >= 0/);
});
