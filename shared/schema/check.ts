/**
 * Small helpers for spec validation: each returns a problem string prefixed with its JSON
 * path, or nothing, so that a validator can collect every problem at once.
 */

export type Problems = string[];

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined) return 'nothing';
  try {
    const s = JSON.stringify(v);
    return s.length > 60 ? s.slice(0, 57) + '...' : s;
  } catch {
    // JSON cannot show it (a BigInt, a cycle): fall back to its type.
    return typeof v;
  }
}

/** Unknown keys of `obj` (typos are the most common spec error, so they are never ignored). */
export function unknownKeys(obj: Record<string, unknown>, known: readonly string[], path: string, out: Problems): void {
  for (const k of Object.keys(obj)) {
    if (!known.includes(k)) out.push(`${join(path, k)}: unknown option (known: ${known.join(', ')})`);
  }
}

export function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

interface NumberRule {
  /** Whether the value must be an integer. */
  integer?: boolean;
  /** Inclusive lower bound. */
  min?: number;
  /** Exclusive lower bound. */
  gt?: number;
  /** Inclusive upper bound. */
  max?: number;
  /** Exclusive upper bound. */
  lt?: number;
}

/** Checks an optional number at `obj[key]`; returns the value when valid. */
export function num(
  obj: Record<string, unknown>,
  key: string,
  path: string,
  rule: NumberRule,
  out: Problems,
  required = false,
): number | undefined {
  const v = obj[key];
  const p = join(path, key);
  if (v === undefined || v === null) {
    if (required) out.push(`${p}: required`);
    return undefined;
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    out.push(`${p}: must be a number, got ${show(v)}`);
    return undefined;
  }
  if (rule.integer && !Number.isInteger(v)) out.push(`${p}: must be an integer, got ${v}`);
  else if (rule.gt !== undefined && !(v > rule.gt)) out.push(`${p}: must be > ${rule.gt}, got ${v}`);
  else if (rule.min !== undefined && !(v >= rule.min)) out.push(`${p}: must be >= ${rule.min}, got ${v}`);
  else if (rule.lt !== undefined && !(v < rule.lt)) out.push(`${p}: must be < ${rule.lt}, got ${v}`);
  else if (rule.max !== undefined && !(v <= rule.max)) out.push(`${p}: must be <= ${rule.max}, got ${v}`);
  else return v;
  return undefined;
}

export function bool(obj: Record<string, unknown>, key: string, path: string, out: Problems): boolean | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') {
    out.push(`${join(path, key)}: must be true or false, got ${show(v)}`);
    return undefined;
  }
  return v;
}

export function oneOf<T extends string>(
  obj: Record<string, unknown>,
  key: string,
  path: string,
  known: readonly T[],
  out: Problems,
  required = false,
): T | undefined {
  const v = obj[key];
  const p = join(path, key);
  if (v === undefined || v === null) {
    if (required) out.push(`${p}: required (one of ${known.join(', ')})`);
    return undefined;
  }
  if (typeof v !== 'string' || !known.includes(v as T)) {
    out.push(`${p}: unknown ${show(v)} (known: ${known.join(', ')})`);
    return undefined;
  }
  return v as T;
}

/** An optional sub-object; null counts as absent. Reports a non-object. */
export function sub(
  obj: Record<string, unknown>,
  key: string,
  path: string,
  out: Problems,
): Record<string, unknown> | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) {
    out.push(`${join(path, key)}: must be an object, got ${show(v)}`);
    return undefined;
  }
  return v;
}
