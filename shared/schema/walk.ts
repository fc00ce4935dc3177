/**
 * Validation by the schema: walks a value against a TypeBox schema (shared/schema/spec.ts)
 * and reports every problem at once, each `path: message` in the words the command line has
 * always used (`optimizer.lr: must be > 0, got -1`, `model.activation: unknown "foo" (known:
 * …)`, `training.epochs: required`). Unknown keys come first, in the value's order, then the
 * schema's fields in the schema's order. Checks between fields stay as code beside each
 * section; a field marked `x-code` is left to that code.
 */
import type { TSchema } from 'typebox';
import { isObject, join, show, type Problems } from './check.ts';

type Node = TSchema & Record<string, unknown>;

const nodeOf = (s: unknown) => s as Node;

/** The string constants of a union of constants (a JSON Schema enum), or undefined. */
export function enumValues(node: TSchema): string[] | undefined {
  const e = nodeOf(node).enum;
  if (Array.isArray(e) && e.every((v) => typeof v === 'string')) return e;
  const any = nodeOf(node).anyOf;
  if (!Array.isArray(any) || !any.length) return undefined;
  const values = any.map((s) => nodeOf(s).const);
  return values.every((v) => typeof v === 'string') ? values : undefined;
}

/** The schema without a `| null` (how the spec writes "off"), and whether null was allowed. */
function unwrapNull(node: Node): { node: Node; nullable: boolean } {
  const any = node.anyOf;
  if (Array.isArray(any) && any.length === 2) {
    const i = any.findIndex((s) => nodeOf(s).type === 'null');
    if (i >= 0) return { node: { ...nodeOf(any[1 - i]), ...pickDoc(node) }, nullable: true };
  }
  return { node, nullable: false };
}

function pickDoc(node: Node): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) if (k.startsWith('x-')) out[k] = v;
  return out;
}

/** The properties of an object schema, in the schema's order. */
export function propertiesOf(node: TSchema): Record<string, TSchema> {
  return (nodeOf(node).properties as Record<string, TSchema> | undefined) ?? {};
}

export function keysOf(node: TSchema): string[] {
  return Object.keys(propertiesOf(node));
}

function inRange(v: number, n: Node): boolean {
  if (typeof n.exclusiveMinimum === 'number' && !(v > n.exclusiveMinimum)) return false;
  if (typeof n.minimum === 'number' && !(v >= n.minimum)) return false;
  if (typeof n.exclusiveMaximum === 'number' && !(v < n.exclusiveMaximum)) return false;
  if (typeof n.maximum === 'number' && !(v <= n.maximum)) return false;
  return true;
}

function checkNumber(n: Node, v: unknown, p: string, out: Problems): void {
  if (typeof n['x-interval'] === 'string') {
    if (typeof v !== 'number' || !inRange(v, n)) out.push(`${p}: must be in ${n['x-interval']}, got ${show(v)}`);
    return;
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    if (n['x-finite']) out.push(`${p}: must be a finite number, got ${typeof v === 'number' ? String(v) : show(v)}`);
    else out.push(`${p}: must be a number, got ${show(v)}`);
    return;
  }
  if (n.type === 'integer' && !Number.isInteger(v)) out.push(`${p}: must be an integer, got ${v}`);
  else if (typeof n.exclusiveMinimum === 'number' && !(v > n.exclusiveMinimum))
    out.push(`${p}: must be > ${n.exclusiveMinimum}, got ${v}`);
  else if (typeof n.minimum === 'number' && !(v >= n.minimum)) out.push(`${p}: must be >= ${n.minimum}, got ${v}`);
  else if (typeof n.exclusiveMaximum === 'number' && !(v < n.exclusiveMaximum))
    out.push(`${p}: must be < ${n.exclusiveMaximum}, got ${v}`);
  else if (typeof n.maximum === 'number' && !(v <= n.maximum)) out.push(`${p}: must be <= ${n.maximum}, got ${v}`);
}

/**
 * Problems of one present value (not undefined, not null) against its schema. A scalar node
 * with `x-type` says any of its problems in that one message (`must be a time in
 * milliseconds, got "yesterday"`); on an object, array or union it words a value of the
 * wrong type.
 */
export function checkValue(schema: TSchema, v: unknown, p: string, out: Problems): void {
  const { node, nullable } = unwrapNull(nodeOf(schema));
  if (nullable && v === null) return;
  if (node['x-code']) return;
  if (
    typeof node['x-type'] === 'string' &&
    node.type !== 'object' &&
    node.type !== 'array' &&
    !node['x-discriminator']
  ) {
    const own: Problems = [];
    checkPlain({ ...node, 'x-type': undefined }, v, p, own);
    if (own.length) out.push(`${p}: ${node['x-type']}, got ${show(v)}`);
    return;
  }
  checkPlain(node, v, p, out);
}

function checkPlain(node: Node, v: unknown, p: string, out: Problems): void {
  const values = enumValues(node);
  if (values) {
    if (typeof v !== 'string' || !values.includes(v)) {
      const noun = typeof node['x-noun'] === 'string' ? `${node['x-noun']} ` : '';
      out.push(`${p}: unknown ${noun}${show(v)} (known: ${values.join(', ')})`);
    }
    return;
  }
  if (Array.isArray(node.anyOf)) return checkUnion(node, v, p, out);
  switch (node.type) {
    case 'number':
    case 'integer':
      return checkNumber(node, v, p, out);
    case 'boolean':
      if (typeof v !== 'boolean') out.push(`${p}: must be true or false, got ${show(v)}`);
      return;
    case 'string':
      if (typeof v !== 'string') out.push(`${p}: must be a string, got ${show(v)}`);
      else if (typeof node.minLength === 'number' && v.length < node.minLength)
        out.push(`${p}: must be a non-empty string, got ${show(v)}`);
      else if (typeof node.maxLength === 'number' && v.length > node.maxLength)
        out.push(`${p}: must have at most ${node.maxLength} characters, got ${v.length}`);
      else if (typeof node.pattern === 'string' && !new RegExp(node.pattern).test(v))
        out.push(`${p}: malformed, got ${show(v)}`);
      return;
    case 'array': {
      if (!Array.isArray(v)) return void out.push(`${p}: ${typeMessage(node, 'must be a list')}, got ${show(v)}`);
      if (typeof node.minItems === 'number' && v.length < node.minItems)
        out.push(`${p}: must have at least ${node.minItems} entr${node.minItems === 1 ? 'y' : 'ies'}`);
      if (typeof node.maxItems === 'number' && v.length > node.maxItems)
        return void out.push(
          `${p}: ${typeMessage(node, `must have at most ${node.maxItems} entries`)}, got ${v.length} entries`,
        );
      const items = node.items as TSchema | undefined;
      if (items) v.forEach((x, i) => checkValue(items, x, join(p, i), out));
      return;
    }
    case 'object':
      if (!isObject(v)) return void out.push(`${p}: ${typeMessage(node, 'must be an object')}, got ${show(v)}`);
      return checkObject(node, v, p, out);
  }
}

function typeMessage(node: Node, fallback: string): string {
  return typeof node['x-type'] === 'string' ? node['x-type'] : fallback;
}

/** A union: a discriminated one picks its variant by a field; otherwise constants pass and the rest is checked against the first other member. */
function checkUnion(node: Node, v: unknown, p: string, out: Problems): void {
  const members = (node.anyOf as unknown[]).map(nodeOf);
  const by = node['x-discriminator'];
  if (typeof by === 'string') {
    if (!isObject(v)) return void out.push(`${p}: ${typeMessage(node, 'must be an object')}, got ${show(v)}`);
    const kinds = members.map((m) => nodeOf(propertiesOf(m)[by]).const as string);
    const k = v[by];
    if (k === undefined || k === null) return void out.push(`${join(p, by)}: required (one of ${kinds.join(', ')})`);
    const i = kinds.indexOf(k as string);
    if (i < 0) return void out.push(`${join(p, by)}: unknown ${show(k)} (known: ${kinds.join(', ')})`);
    return checkObject(members[i], v, p, out, { skip: [by] });
  }
  if (members.some((m) => m.const !== undefined && m.const === v)) return;
  const others = members.filter((m) => m.const === undefined);
  if (!others.length)
    return void out.push(`${p}: unknown ${show(v)} (known: ${members.map((m) => String(m.const)).join(', ')})`);
  // The value is fine if any member takes it; otherwise the member it came closest to says why.
  let best: Problems | undefined;
  for (const m of others) {
    const problems: Problems = [];
    checkValue(m, v, p, problems);
    if (!problems.length) return;
    if (!best || problems.length < best.length) best = problems;
  }
  out.push(...best!);
}

/** How checkObject treats some fields. */
export interface ObjectOptions {
  /** Fields the schema does not check here (their code, if any, still runs). */
  skip?: readonly string[];
  /** Keys that are not the schema's but are allowed (the caller checks them). */
  extraKeys?: readonly string[];
  /**
   * Code run for a field in its turn (after the schema's own check of it, if any): checks
   * between fields, and the fields marked `x-code`. Gets the field's value and path.
   */
  code?: Readonly<Record<string, (value: unknown, path: string) => void>>;
}

/**
 * Problems of an object against an object schema: unknown keys first (in the value's order),
 * then each field in the schema's order, each followed by its code, if any.
 */
export function checkObject(
  schema: TSchema,
  v: Record<string, unknown>,
  path: string,
  out: Problems,
  o: ObjectOptions = {},
): void {
  const props = propertiesOf(schema);
  const known = Object.keys(props);
  const extra = o.extraKeys ?? [];
  if (nodeOf(schema).additionalProperties === false) {
    // `x-unknown` words it for messages between programs (`unknown field`); specs list what is known.
    const unknown = nodeOf(schema)['x-unknown'];
    for (const k of Object.keys(v))
      if (!Object.hasOwn(props, k) && !extra.includes(k))
        out.push(
          `${join(path, k)}: ${typeof unknown === 'string' ? unknown : `unknown option (known: ${[...known, ...extra].join(', ')})`}`,
        );
  }
  const required = (nodeOf(schema).required as string[] | undefined) ?? [];
  for (const [k, s] of Object.entries(props)) {
    if (!o.skip?.includes(k)) checkField(s, v, k, path, out, required.includes(k));
    o.code?.[k]?.(v[k], join(path, k));
  }
}

/** One field of an object: `required` when absent, else its value's problems. */
export function checkField(
  schema: TSchema,
  obj: Record<string, unknown>,
  key: string,
  path: string,
  out: Problems,
  required: boolean,
): void {
  const v = obj[key];
  const p = join(path, key);
  const node = nodeOf(schema);
  if (node['x-code']) return;
  if (v === undefined || (v === null && !unwrapNull(node).nullable)) {
    if (!required) return;
    const values = enumValues(schema);
    const scalar = typeof node['x-type'] === 'string' && node.type !== 'object' && node.type !== 'array';
    out.push(
      scalar
        ? `${p}: ${node['x-type'] as string}, got ${show(v)}`
        : `${p}: required${values ? ` (one of ${values.join(', ')})` : ''}`,
    );
    return;
  }
  checkValue(schema, v, p, out);
}

/**
 * A section of a spec: its type message when it is not an object (absent included), else
 * its fields. Returns the object when it is one, for the section's own checks.
 */
export function checkSection(
  schema: TSchema,
  v: unknown,
  path: string,
  out: Problems,
  o: ObjectOptions = {},
): Record<string, unknown> | undefined {
  if (!isObject(v)) {
    out.push(`${path}: ${typeMessage(nodeOf(schema), 'must be an object')}, got ${show(v)}`);
    return undefined;
  }
  checkObject(schema, v, path, out, o);
  return v;
}
