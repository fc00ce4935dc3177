/**
 * Sweeps: a grid over spec paths (`{"optimizer": [...], "training.batchSize": [32, 256]}`,
 * every combination, the first path varying slowest) or an explicit list of override sets
 * (`[{"label": "L2", "regularization.l2": 1e-3}, ...]`). Each becomes a Configuration.
 */
import type { Configuration, ExperimentSpec, SweepSpec } from './types.ts';
import { configKey } from './keys.ts';
import { isObject, show } from '../schema/check.ts';

/** Paths that must not be swept: they define the experiment, not a configuration. */
const FIXED = ['evaluation', 'sweep', 'study', 'speed', 'name', 'tags', 'notes', 'dataset.testFraction'];

/** Sets `path` (dot-separated) in a deep copy's nested objects, creating them as needed. */
export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur: Record<string, unknown> = obj;
  for (let i = 0; i < parts.length - 1; i++) {
    const next = cur[parts[i]];
    if (!isObject(next)) cur[parts[i]] = {};
    cur = cur[parts[i]] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]] = structuredClone(value);
}

export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const p of path.split('.')) {
    if (!isObject(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}

/** A compact label for a swept value: optimizer objects by name and their options. */
export function describeValue(v: unknown): string {
  if (isObject(v) && typeof v.name === 'string') {
    const rest = Object.entries(v)
      .filter(([k]) => k !== 'name')
      .map(([k, x]) => `${k}=${Array.isArray(x) ? x.join('/') : String(x)}`);
    return rest.length ? `${v.name}(${rest.join(',')})` : v.name;
  }
  if (isObject(v) && typeof v.kind === 'string') {
    const rest = Object.entries(v)
      .filter(([k]) => k !== 'kind')
      .map(([k, x]) => `${k}=${show(x)}`);
    return rest.length ? `${v.kind}(${rest.join(',')})` : v.kind;
  }
  if (Array.isArray(v)) return `[${v.map(describeValue).join(',')}]`;
  if (v === null) return 'none';
  return typeof v === 'string' ? v : show(v);
}

/** Problems with the sweep section itself (values are checked later, on each resolved spec). */
export function validateSweep(sweep: unknown, path = 'sweep'): string[] {
  const out: string[] = [];
  if (sweep === undefined || sweep === null) return out;
  const checkPath = (p: string, where: string) => {
    if (!/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/.test(p)) out.push(`${where}: not a spec path: ${show(p)}`);
    else if (FIXED.some((f) => p === f || p.startsWith(f + '.')))
      out.push(`${where}: "${p}" cannot be swept (it defines the experiment)`);
  };
  if (Array.isArray(sweep)) {
    if (sweep.length === 0) out.push(`${path}: empty list`);
    sweep.forEach((entry, i) => {
      if (!isObject(entry)) return out.push(`${path}[${i}]: must be an object of path → value, got ${show(entry)}`);
      if (entry.label !== undefined && typeof entry.label !== 'string')
        out.push(`${path}[${i}].label: must be a string`);
      for (const k of Object.keys(entry)) if (k !== 'label') checkPath(k, `${path}[${i}].${k}`);
    });
    return out;
  }
  if (!isObject(sweep))
    return [`${path}: must be an object of path → list of values, or a list of override objects, got ${show(sweep)}`];
  const keys = Object.keys(sweep);
  if (keys.length === 0) out.push(`${path}: empty grid`);
  for (const k of keys) {
    checkPath(k, `${path}.${k}`);
    const vals = sweep[k];
    if (!Array.isArray(vals) || vals.length === 0)
      out.push(`${path}.${k}: must be a non-empty list of values, got ${show(vals)}`);
  }
  const size = keys.reduce((n, k) => n * (Array.isArray(sweep[k]) ? (sweep[k] as unknown[]).length : 1), 1);
  if (size > 1000) out.push(`${path}: ${size} configurations; at most 1000`);
  return out;
}

/** The configurations of a spec: one (`config=0`, no overrides) without a sweep. */
export function expandSweep(spec: ExperimentSpec): Configuration[] {
  const sweep: SweepSpec | null | undefined = spec.sweep;
  const base = structuredClone(spec);
  delete base.sweep;
  const sets: Array<{ label?: string; overrides: Record<string, unknown> }> = [];
  if (!sweep) sets.push({ overrides: {} });
  else if (Array.isArray(sweep)) {
    for (const entry of sweep) {
      const { label, ...overrides } = entry;
      sets.push({ label: typeof label === 'string' ? label : undefined, overrides });
    }
  } else {
    const keys = Object.keys(sweep);
    let combos: Record<string, unknown>[] = [{}];
    for (const k of keys) combos = combos.flatMap((c) => sweep[k].map((v) => ({ ...c, [k]: v })));
    for (const c of combos) sets.push({ overrides: c });
  }
  return sets.map(({ label, overrides }, i) => {
    const resolved = structuredClone(base) as unknown as Record<string, unknown>;
    for (const [p, v] of Object.entries(overrides)) setPath(resolved, p, v);
    const auto = Object.entries(overrides)
      .map(([p, v]) => `${p.split('.').at(-1)}=${describeValue(v)}`)
      .join(' ');
    return {
      key: configKey(i),
      label: label ?? (auto || 'base'),
      overrides,
      spec: resolved as unknown as ExperimentSpec,
    };
  });
}
