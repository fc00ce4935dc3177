/**
 * Validation of an optimizer spec as it arrives from JSON: every problem is reported at once,
 * each prefixed with its JSON path (`optimizer.lr: must be > 0, got -1`), so that a user can fix
 * a spec in one pass. The accepted ranges are torch's constructor checks (so anything a PyTorch
 * script may pass is accepted), except that lr must be > 0.
 */
import { isOptimizerName, OPTIMIZER_DEFAULTS, OPTIMIZER_NAMES, OPTION_KINDS } from './registry.ts';
import type { OptionKind } from './registry.ts';
import { isObject, join, show } from '../schema/check.ts';

/** Every problem of `spec` as an optimizer spec, each as `<path>: <problem>`; empty when it is valid. */
export function validateOptimizerSpec(spec: unknown, path = 'optimizer'): string[] {
  const known = OPTIMIZER_NAMES.join(', ');
  if (!isObject(spec)) return [`${path}: must be an object with a "name" (one of ${known}), got ${show(spec)}`];
  const problems: string[] = [];
  const name = spec.name;
  const namePath = join(path, 'name');
  if (name === undefined) problems.push(`${namePath}: required (one of ${known})`);
  else if (!isOptimizerName(name)) problems.push(`${namePath}: unknown optimizer ${show(name)} (known: ${known})`);
  const defaults = isOptimizerName(name) ? OPTIMIZER_DEFAULTS[name] : null;

  for (const key of Object.keys(spec)) {
    if (key === 'name') continue;
    const at = join(path, key);
    if (defaults !== null && !Object.hasOwn(defaults, key)) {
      problems.push(`${at}: unknown option for ${String(name)} (known: ${Object.keys(defaults).join(', ')})`);
      continue;
    }
    if (!Object.hasOwn(OPTION_KINDS, key)) {
      problems.push(`${at}: unknown option`);
      continue;
    }
    valueProblems(spec[key], OPTION_KINDS[key], at, problems);
  }

  if (name === 'sgd' && spec.nesterov === true) {
    const momentum = spec.momentum ?? 0;
    const dampening = spec.dampening ?? 0;
    if (typeof momentum === 'number' && typeof dampening === 'number' && !(momentum > 0 && dampening === 0)) {
      problems.push(
        `${join(path, 'nesterov')}: Nesterov momentum requires a momentum and zero dampening ` +
          `(got momentum ${momentum}, dampening ${dampening})`,
      );
    }
  }
  return problems;
}

/** The problem with v as a finite number, or null if it is one. */
function numberProblem(v: unknown): string | null {
  if (typeof v !== 'number' || !Number.isFinite(v))
    return `must be a finite number, got ${typeof v === 'number' ? String(v) : show(v)}`;
  return null;
}

/** Appends the problems of one option value of the given kind. */
function valueProblems(v: unknown, kind: OptionKind, at: string, out: string[]): void {
  if (kind === 'boolean') {
    if (typeof v !== 'boolean') out.push(`${at}: must be true or false, got ${show(v)}`);
    return;
  }
  if (kind === 'betas') {
    if (!Array.isArray(v) || v.length !== 2) {
      out.push(`${at}: must be an array of two numbers, got ${show(v)}`);
      return;
    }
    for (let i = 0; i < 2; i++) {
      const b: unknown = v[i];
      const bad = numberProblem(b);
      if (bad !== null) out.push(`${at}[${i}]: ${bad}`);
      else if (!((b as number) >= 0 && (b as number) < 1)) out.push(`${at}[${i}]: must be in [0, 1), got ${show(b)}`);
    }
    return;
  }
  const bad = numberProblem(v);
  if (bad !== null) {
    out.push(`${at}: ${bad}`);
    return;
  }
  const x = v as number;
  if (kind === 'positive' && !(x > 0)) out.push(`${at}: must be > 0, got ${show(x)}`);
  else if (kind === 'nonnegative' && !(x >= 0)) out.push(`${at}: must be >= 0, got ${show(x)}`);
  else if (kind === 'unit' && !(x >= 0 && x <= 1)) out.push(`${at}: must be in [0, 1], got ${show(x)}`);
}
