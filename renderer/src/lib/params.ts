/**
 * A screen's state in the URL: a schema of typed fields, decoded from the query part of the
 * hash route (`#/paths?fn=beale&lr=0.01`) and encoded back with the defaults left out, so a
 * link holds only what differs. A value that does not fit its field falls back to the default
 * and is reported, so that a mistyped link says what it dropped instead of failing.
 */

export type Field =
  | { kind: 'number'; default: number | null; min?: number; max?: number; integer?: boolean; gt?: number }
  | { kind: 'enum'; default: string; values: readonly string[] }
  | { kind: 'bool'; default: boolean }
  | {
      kind: 'numbers';
      default: readonly number[];
      min?: number;
      max?: number;
      integer?: boolean;
      minLength?: number;
      maxLength?: number;
    }
  | { kind: 'subset'; default: readonly string[]; values: readonly string[] }
  /** A word matching `pattern` (whole), or null when absent; `what` names it in problems. */
  | { kind: 'text'; default: null; pattern: RegExp; what: string };

export type Schema = Readonly<Record<string, Field>>;

/** The decoded type of one field. */
export type FieldValue<F extends Field> = F extends { kind: 'number' }
  ? F['default'] extends number
    ? number
    : number | null
  : F extends { kind: 'enum' }
    ? string
    : F extends { kind: 'bool' }
      ? boolean
      : F extends { kind: 'numbers' }
        ? number[]
        : F extends { kind: 'text' }
          ? string | null
          : string[];

export type Values<S extends Schema> = { [K in keyof S]: FieldValue<S[K]> };

function describe(f: Field): string {
  switch (f.kind) {
    case 'number': {
      const parts = [f.integer ? 'an integer' : 'a number'];
      if (f.gt !== undefined) parts.push(`> ${f.gt}`);
      if (f.min !== undefined && f.max !== undefined) parts.push(`in [${f.min}, ${f.max}]`);
      else if (f.min !== undefined) parts.push(`>= ${f.min}`);
      else if (f.max !== undefined) parts.push(`<= ${f.max}`);
      return parts.join(' ');
    }
    case 'enum':
      return `one of ${f.values.join(', ')}`;
    case 'bool':
      return '0 or 1';
    case 'numbers':
      return `a comma-separated list of ${f.integer ? 'integers' : 'numbers'}${f.min !== undefined ? ` >= ${f.min}` : ''}${f.max !== undefined ? ` <= ${f.max}` : ''}`;
    case 'subset':
      return `a comma-separated list of ${f.values.join(', ')}`;
    case 'text':
      return f.what;
  }
}

function okNumber(f: { min?: number; max?: number; integer?: boolean; gt?: number }, v: number): boolean {
  if (!Number.isFinite(v)) return false;
  if (f.integer && !Number.isInteger(v)) return false;
  if (f.min !== undefined && v < f.min) return false;
  if (f.max !== undefined && v > f.max) return false;
  if (f.gt !== undefined && !(v > f.gt)) return false;
  return true;
}

function parse(f: Field, text: string): unknown {
  switch (f.kind) {
    case 'number': {
      if (f.default === null && text === '') return null;
      const v = text.trim() === '' ? NaN : Number(text);
      return okNumber(f, v) ? v : undefined;
    }
    case 'enum':
      return f.values.includes(text) ? text : undefined;
    case 'bool':
      return text === '1' || text === 'true' ? true : text === '0' || text === 'false' ? false : undefined;
    case 'numbers': {
      const items = text === '' ? [] : text.split(',').map((s) => (s.trim() === '' ? NaN : Number(s)));
      if (items.some((v) => !okNumber(f, v))) return undefined;
      if (f.minLength !== undefined && items.length < f.minLength) return undefined;
      if (f.maxLength !== undefined && items.length > f.maxLength) return undefined;
      return items;
    }
    case 'subset': {
      const items = text === '' ? [] : text.split(',');
      if (items.some((s) => !f.values.includes(s))) return undefined;
      return f.values.filter((v) => items.includes(v));
    }
    case 'text':
      return new RegExp(`^(?:${f.pattern.source})$`).test(text) ? text : undefined;
  }
}

function clone(v: unknown): unknown {
  return Array.isArray(v) ? [...(v as unknown[])] : v;
}

/** The schema's values from `params`; a missing key takes its default, a bad one too (and is reported). */
export function decode<S extends Schema>(
  schema: S,
  params: URLSearchParams,
): { values: Values<S>; problems: string[] } {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, f] of Object.entries(schema)) {
    const text = params.get(key);
    let v: unknown = undefined;
    if (text !== null) {
      v = parse(f, text);
      if (v === undefined)
        problems.push(`${key}: expected ${describe(f)}, got ${JSON.stringify(text)}; using the default`);
    }
    values[key] = v === undefined ? clone(f.default) : v;
  }
  return { values: values as Values<S>, problems };
}

function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return a === b;
}

function format(f: Field, v: unknown): string {
  if (f.kind === 'bool') return v ? '1' : '0';
  if (Array.isArray(v)) return v.join(',');
  if (typeof v === 'number' || typeof v === 'string') return String(v);
  return '';
}

/** `values` as query parameters, in the schema's order, leaving out every value equal to its default. */
export function encode<S extends Schema>(schema: S, values: Values<S>, into = new URLSearchParams()): URLSearchParams {
  for (const [key, f] of Object.entries(schema)) {
    const v = (values as Record<string, unknown>)[key];
    if (v === undefined || same(v, f.default)) continue;
    into.set(key, format(f, v));
  }
  return into;
}
