/**
 * Learning-rate schedules per epoch, as torch.optim.lr_scheduler computes them in closed form
 * (`_get_closed_form_lr`), with epoch e counted from 0 and γ₀ the optimizer's lr:
 *
 *   constant     γ₀                                           (no scheduler)
 *   step         γ₀ · gamma^⌊e / step_size⌋                   (StepLR, gamma 0.1)
 *   exponential  γ₀ · gamma^e                                 (ExponentialLR)
 *   cosine       η_min + (γ₀ − η_min)(1 + cos(π e / T_max))/2  (CosineAnnealingLR, η_min 0; the
 *                closed form keeps its period 2·T_max after T_max, as torch's does)
 *
 * With `warmup_epochs` W > 0 the schedule is torch's SequentialLR of LinearLR(start_factor f,
 * total_iters W) and the main one, switching at milestone W:
 *
 *   e < W:   γ₀ · (f + (1 − f)·e/W)          (f = warmup_start_factor, default 1/3 as in LinearLR)
 *   e ≥ W:   the main schedule at e − W
 */
import type { ScheduleSpec } from '../schema/types.ts';
import { isObject, join, show } from '../schema/check.ts';
import { cos, pow } from '../math/index.ts';
import {
  DEFAULT_STEP_GAMMA,
  DEFAULT_WARMUP_START_FACTOR,
  SCHEDULE_KINDS as SPEC_KINDS,
  ScheduleSchema,
} from '../schema/spec.ts';
import { keysOf } from '../schema/walk.ts';

export { DEFAULT_STEP_GAMMA, DEFAULT_WARMUP_START_FACTOR };

export type ScheduleKind = ScheduleSpec['kind'];

/** The schedule kinds, in the order help text lists them (the schema's list). */
export const SCHEDULE_KINDS: readonly ScheduleKind[] = SPEC_KINDS;

const WARMUP_KEYS = ['warmup_epochs', 'warmup_start_factor'] as const;

/** The keys each kind accepts besides `kind` and the warm-up keys (from ScheduleSchema's variants). */
const KIND_KEYS = Object.fromEntries(
  ScheduleSchema.anyOf.map((variant) => [
    variant.properties.kind.const,
    keysOf(variant).filter((k) => k !== 'kind' && !(WARMUP_KEYS as readonly string[]).includes(k)),
  ]),
) as unknown as Readonly<Record<ScheduleKind, readonly string[]>>;

/** Every problem of `spec` as a schedule, each as `<path>: <problem>`; null or absent means no schedule. */
export function validateSchedule(spec: unknown, path = 'schedule'): string[] {
  if (spec === undefined || spec === null) return [];
  const kinds = SCHEDULE_KINDS.join(', ');
  if (!isObject(spec)) return [`${path}: must be an object with a "kind" (one of ${kinds}), got ${show(spec)}`];
  const out: string[] = [];
  const kind = spec.kind;
  const known = typeof kind === 'string' && Object.hasOwn(KIND_KEYS, kind) ? (kind as ScheduleKind) : null;
  if (kind === undefined) out.push(`${join(path, 'kind')}: required (one of ${kinds})`);
  else if (known === null) out.push(`${join(path, 'kind')}: unknown schedule ${show(kind)} (known: ${kinds})`);
  if (known !== null) {
    const allowed = ['kind', ...KIND_KEYS[known], ...WARMUP_KEYS];
    for (const key of Object.keys(spec)) {
      if (!allowed.includes(key))
        out.push(`${join(path, key)}: unknown option for ${known} (known: ${allowed.join(', ')})`);
    }
  }
  const check = (
    key: string,
    required: boolean,
    integer: boolean,
    test: (x: number) => boolean,
    rule: string,
  ): void => {
    const v = spec[key];
    const at = join(path, key);
    if (v === undefined) {
      if (required) out.push(`${at}: required for ${String(kind)} (${rule})`);
      return;
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) out.push(`${at}: must be a finite number, got ${show(v)}`);
    else if (integer && !Number.isInteger(v)) out.push(`${at}: must be an integer, got ${v}`);
    else if (!test(v)) out.push(`${at}: ${rule}, got ${v}`);
  };
  if (known === 'step') {
    check('step_size', true, true, (x) => x >= 1, 'must be >= 1');
    check('gamma', false, false, (x) => x > 0, 'must be > 0');
  } else if (known === 'exponential') {
    check('gamma', true, false, (x) => x > 0, 'must be > 0');
  } else if (known === 'cosine') {
    check('T_max', true, true, (x) => x >= 1, 'must be >= 1');
    check('eta_min', false, false, (x) => x >= 0, 'must be >= 0');
  }
  check('warmup_epochs', false, true, (x) => x >= 0, 'must be >= 0');
  check('warmup_start_factor', false, false, (x) => x > 0 && x <= 1, 'must be in (0, 1]');
  return out;
}

/** The main schedule's lr at epoch e, counted from 0 where the warm-up ends. */
function mainLr(spec: ScheduleSpec, baseLr: number, e: number): number {
  switch (spec.kind) {
    case 'constant':
      return baseLr;
    case 'step':
      return baseLr * pow(spec.gamma ?? DEFAULT_STEP_GAMMA, Math.floor(e / spec.step_size));
    case 'exponential':
      return baseLr * pow(spec.gamma, e);
    case 'cosine': {
      const etaMin = spec.eta_min ?? 0;
      return etaMin + ((baseLr - etaMin) * (1 + cos((Math.PI * e) / spec.T_max))) / 2;
    }
  }
}

/**
 * The learning rate for epoch `epoch` (0-based) under `spec`, starting from `baseLr`; no spec
 * means a constant rate. Throws on an invalid spec or a negative or fractional epoch.
 */
export function lrAt(spec: ScheduleSpec | null | undefined, baseLr: number, epoch: number): number {
  if (!(Number.isInteger(epoch) && epoch >= 0))
    throw new RangeError(`lrAt: epoch must be an integer >= 0, got ${epoch}`);
  if (spec === null || spec === undefined) return baseLr;
  const problems = validateSchedule(spec, 'schedule');
  if (problems.length > 0) throw new RangeError(`invalid schedule:\n  ${problems.join('\n  ')}`);
  const w = spec.warmup_epochs ?? 0;
  if (epoch < w) {
    const f = spec.warmup_start_factor ?? DEFAULT_WARMUP_START_FACTOR;
    return baseLr * (f + ((1 - f) * epoch) / w);
  }
  return mainLr(spec, baseLr, epoch - w);
}

/** lrAt for epochs 0 … epochs−1 (for charts and previews). */
export function lrSchedule(spec: ScheduleSpec | null | undefined, baseLr: number, epochs: number): number[] {
  const out: number[] = [];
  for (let e = 0; e < epochs; e++) out.push(lrAt(spec, baseLr, e));
  return out;
}
