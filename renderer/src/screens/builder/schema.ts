/**
 * The Builder's reading of the spec's JSON Schema (shared/schema/spec.ts, as `specSchema()`
 * gives it): what kind of control each field gets, the defaults of a variant, and paths into
 * the spec being edited. Pure, so the node tests check it against the real schema.
 */

/** A JSON Schema node as the spec's schema writes them (TypeBox output). */
export interface SchemaNode {
  type?: string;
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  anyOf?: SchemaNode[];
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
  patternProperties?: Record<string, SchemaNode>;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
}

export type Control =
  | { kind: 'object'; node: SchemaNode }
  /** One of several objects told apart by a constant field (`name`, `kind`). */
  | { kind: 'variants'; key: string; options: { value: string; node: SchemaNode }[] }
  /** A value or null (off). */
  | { kind: 'nullable'; inner: SchemaNode }
  | { kind: 'enum'; values: string[] }
  | { kind: 'boolean' }
  | { kind: 'number'; integer: boolean }
  | { kind: 'string' }
  /** A list of numbers (hidden widths, betas) or strings (tags), typed comma-separated. */
  | { kind: 'list'; numbers: boolean }
  /** A number or a word (batch size 32 or "full"; a target column by index or name). */
  | { kind: 'number-or-string' }
  /** Anything else: edited as JSON text. */
  | { kind: 'json' };

const isNull = (n: SchemaNode) => n.type === 'null';

/** The constant field that tells the variants of an anyOf apart, if there is one. */
function discriminator(options: SchemaNode[]): string | null {
  const first = options[0]?.properties;
  if (!first) return null;
  for (const key of Object.keys(first))
    if (options.every((o) => o.properties?.[key]?.const !== undefined && typeof o.properties[key].const === 'string'))
      return key;
  return null;
}

/** The control a schema node gets. */
export function controlOf(n: SchemaNode): Control {
  if (n.anyOf) {
    const rest = n.anyOf.filter((o) => !isNull(o));
    if (rest.length < n.anyOf.length)
      return { kind: 'nullable', inner: rest.length === 1 ? rest[0] : { ...n, anyOf: rest } };
    if (rest.length === 1) return controlOf(rest[0]);
    const key = discriminator(rest);
    if (key)
      return {
        kind: 'variants',
        key,
        options: rest.map((o) => ({ value: String(o.properties![key].const), node: o })),
      };
    if (rest.every((o) => o.type === 'string' || o.type === 'integer' || o.type === 'number'))
      return { kind: 'number-or-string' };
    return { kind: 'json' };
  }
  if (n.enum) return { kind: 'enum', values: n.enum.map(String) };
  if (n.type === 'object' && n.properties) return { kind: 'object', node: n };
  if (n.type === 'boolean') return { kind: 'boolean' };
  if (n.type === 'number' || n.type === 'integer') return { kind: 'number', integer: n.type === 'integer' };
  if (n.type === 'string') return { kind: 'string' };
  if (
    n.type === 'array' &&
    n.items &&
    (n.items.type === 'number' || n.items.type === 'integer' || n.items.type === 'string')
  )
    return { kind: 'list', numbers: n.items.type !== 'string' };
  return { kind: 'json' };
}

/** The value a variant starts with: its constant and the defaults of its required fields. */
export function variantDefaults(n: SchemaNode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, p] of Object.entries(n.properties ?? {})) {
    if (p.const !== undefined) out[k] = p.const;
    else if (n.required?.includes(k) && p.default !== undefined) out[k] = structuredClone(p.default);
  }
  return out;
}

/** The value a nullable field takes when switched on. */
export function enabledDefault(inner: SchemaNode): unknown {
  if (inner.default !== undefined && inner.default !== null) return structuredClone(inner.default);
  const c = controlOf(inner);
  if (c.kind === 'variants') return variantDefaults(c.options[0].node);
  if (c.kind === 'object') return variantDefaults(inner);
  return null;
}

export type Path = (string | number)[];

/** `optimizer.lr`, `model.hidden[0]`: the notation of LabProblem paths. */
export function pathText(p: Path): string {
  return p.map((k, i) => (typeof k === 'number' ? `[${k}]` : i ? `.${k}` : k)).join('');
}

export function getAt(root: unknown, p: Path): unknown {
  let v = root;
  for (const k of p) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}

/** Sets (or, for undefined, removes) the value at `p`, making the objects on the way. */
export function setAt(root: Record<string, unknown>, p: Path, value: unknown): void {
  let o: Record<string | number, unknown> = root;
  for (const k of p.slice(0, -1)) {
    const next = o[k];
    if (next === null || typeof next !== 'object') o[k] = {};
    o = o[k] as Record<string | number, unknown>;
  }
  const last = p[p.length - 1];
  if (value === undefined) delete o[last];
  else o[last] = value;
}

/** A typed value from text: a number where the field takes numbers and the text is one. */
export function parseNumber(text: string): number | string {
  const t = text.trim();
  return t !== '' && Number.isFinite(Number(t)) ? Number(t) : t;
}

/** `16, 16` → [16, 16]; words stay words (the validator then names the wrong item). */
export function parseList(text: string, numbers: boolean): (number | string)[] {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return numbers ? items.map(parseNumber) : items;
}

/** A sweep value typed in the grid editor: JSON where it parses (`0.1`, `true`, `[8, 8]`), else a word. */
export function parseSweepValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text.trim();
  }
}

/** `0.1, 0.01, [8, 8], full` → [0.1, 0.01, [8, 8], "full"]: commas inside brackets do not split. */
export function parseSweepValues(text: string): unknown[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '[' || ch === '{') depth++;
    if (ch === ']' || ch === '}') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(parseSweepValue);
}

/** The inverse of parseSweepValues, for showing a stored grid. */
export function formatSweepValues(values: unknown[]): string {
  return values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ');
}
