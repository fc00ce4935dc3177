/**
 * A compact, versioned binary form for job results and data sets: what the library stores
 * in BLOB columns and what an export carries in base64.
 *
 * Layout (integers little-endian):
 *
 *     0  "OLab"                      magic
 *     4  u16 format version          (1)
 *     6  u16 kind                    (1 job result, 2 data set)
 *     8  u32 meta bytes M
 *    12  u32 block count B
 *    16  B × { u8 dtype, 3 zero bytes, u32 element count }
 *        M bytes of UTF-8 JSON (the value with typed arrays and non-JSON numbers replaced
 *        by markers), zero-padded to a multiple of 8
 *        each block's elements, little-endian, zero-padded to a multiple of 8
 *        u32 CRC-32 of every byte before it
 *
 * JSON keeps the scalar parts readable and their key order (so JSON.stringify of a decoded
 * value equals the original's); finite doubles survive JSON text exactly; NaN, ±Infinity and
 * −0, which JSON cannot hold, become markers. Big arrays are raw blocks, never text. The
 * same value always gives the same bytes. No node: imports, so the module can move to
 * shared/ if workers ever send results in this form.
 */
import type { JobResult } from '../../shared/experiment/types.ts';
import { datasetProblems, type Dataset } from '../../shared/data/dataset.ts';

export class CodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodecError';
  }
}

export const FORMAT_VERSION = 1;
export const KIND = { jobResult: 1, dataset: 2 } as const;
type Kind = (typeof KIND)[keyof typeof KIND];
const KIND_NAME: Record<number, string> = { 1: 'job result', 2: 'data set' };

const MAGIC = [0x4f, 0x4c, 0x61, 0x62]; // "OLab"
const HEADER = 16;
const BLOCK_ENTRY = 8;
const CRC_BYTES = 4;

type Typed = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;
interface TypedCtor {
  new (length: number): Typed;
  readonly BYTES_PER_ELEMENT: number;
}

/** dtype codes of the block table; their numbers are part of the format and never change. */
const DTYPES: {
  code: number;
  ctor: TypedCtor;
  get: (v: DataView, o: number) => number;
  set: (v: DataView, o: number, x: number) => void;
}[] = [
  { code: 1, ctor: Float32Array, get: (v, o) => v.getFloat32(o, true), set: (v, o, x) => v.setFloat32(o, x, true) },
  { code: 2, ctor: Float64Array, get: (v, o) => v.getFloat64(o, true), set: (v, o, x) => v.setFloat64(o, x, true) },
  { code: 3, ctor: Int8Array, get: (v, o) => v.getInt8(o), set: (v, o, x) => v.setInt8(o, x) },
  { code: 4, ctor: Uint8Array, get: (v, o) => v.getUint8(o), set: (v, o, x) => v.setUint8(o, x) },
  { code: 5, ctor: Int16Array, get: (v, o) => v.getInt16(o, true), set: (v, o, x) => v.setInt16(o, x, true) },
  { code: 6, ctor: Uint16Array, get: (v, o) => v.getUint16(o, true), set: (v, o, x) => v.setUint16(o, x, true) },
  { code: 7, ctor: Int32Array, get: (v, o) => v.getInt32(o, true), set: (v, o, x) => v.setInt32(o, x, true) },
  { code: 8, ctor: Uint32Array, get: (v, o) => v.getUint32(o, true), set: (v, o, x) => v.setUint32(o, x, true) },
];

function dtypeOf(a: Typed) {
  // Exact constructor match: a Buffer is a Uint8Array subclass and comes back as a Uint8Array.
  const t = DTYPES.find((d) => a instanceof d.ctor);
  if (!t) throw new CodecError(`cannot encode a ${a.constructor.name}`);
  return t;
}

const HOST_LE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Writes a's elements little-endian at dst[offset…]. `hostLE` is a parameter so tests can run the portable path. */
export function writeElements(a: Typed, dst: Uint8Array, offset: number, hostLE = HOST_LE): void {
  if (hostLE) {
    dst.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), offset);
    return;
  }
  const t = dtypeOf(a);
  const view = new DataView(dst.buffer, dst.byteOffset, dst.byteLength);
  const w = t.ctor.BYTES_PER_ELEMENT;
  for (let i = 0; i < a.length; i++) t.set(view, offset + i * w, a[i]);
}

/** A fresh typed array of `count` elements read little-endian from src[offset…] (never a view into src). */
export function readElements(ctor: TypedCtor, src: Uint8Array, offset: number, count: number, hostLE = HOST_LE): Typed {
  const out = new ctor(count);
  const bytes = count * ctor.BYTES_PER_ELEMENT;
  if (hostLE) {
    new Uint8Array(out.buffer).set(src.subarray(offset, offset + bytes));
    return out;
  }
  const t = DTYPES.find((d) => d.ctor === ctor)!;
  const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
  for (let i = 0; i < count; i++) out[i] = t.get(view, offset + i * ctor.BYTES_PER_ELEMENT);
  return out;
}

/** A Float32Array as little-endian bytes (the datasets table's x and y columns). */
export function float32Bytes(a: Float32Array): Uint8Array {
  const out = new Uint8Array(a.byteLength);
  writeElements(a, out, 0);
  return out;
}

/** The inverse of float32Bytes; refuses a length that is not a whole number of floats. */
export function bytesFloat32(bytes: Uint8Array, what = 'float32 column'): Float32Array {
  if (bytes.byteLength % 4)
    throw new CodecError(`${what}: ${bytes.byteLength} bytes is not a whole number of float32 values`);
  return readElements(Float32Array, bytes, 0, bytes.byteLength / 4) as Float32Array;
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3, as zlib and PNG): catches flipped or lost bytes that lengths alone would not. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = crcTable[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * Marker key: an object whose only key is "\u0000" stands for a number JSON cannot write
 * (its value a string) or for a block (its value the block index). Real keys never start
 * with a NUL character; encoding refuses one that does rather than produce an ambiguous blob.
 */
const TAG = '\u0000';
const SPECIAL: Record<string, number> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
  '-0': -0,
};

function toMeta(v: unknown, blocks: Typed[], path: string): unknown {
  switch (typeof v) {
    case 'number':
      if (Number.isNaN(v)) return { [TAG]: 'NaN' };
      if (v === Number.POSITIVE_INFINITY) return { [TAG]: 'Infinity' };
      if (v === Number.NEGATIVE_INFINITY) return { [TAG]: '-Infinity' };
      if (Object.is(v, -0)) return { [TAG]: '-0' };
      return v;
    case 'string':
    case 'boolean':
      return v;
    case 'object':
      if (v === null) return null;
      if (ArrayBuffer.isView(v)) {
        if (v instanceof DataView) throw new CodecError(`${path}: cannot encode a DataView`);
        dtypeOf(v as Typed);
        blocks.push(v as Typed);
        return { [TAG]: blocks.length - 1 };
      }
      if (Array.isArray(v)) return v.map((x, i) => (x === undefined ? null : toMeta(x, blocks, `${path}[${i}]`)));
      if (Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null) {
        throw new CodecError(`${path}: cannot encode a ${v.constructor?.name ?? 'non-plain object'}`);
      }
      {
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) {
          if (k.startsWith(TAG))
            throw new CodecError(
              `${path}: key ${JSON.stringify(k)} starts with a NUL character, which the format reserves`,
            );
          // As JSON.stringify: an undefined property is no property.
          if (x !== undefined) out[k] = toMeta(x, blocks, `${path}.${k}`);
        }
        return out;
      }
    case 'undefined':
      return null;
    default:
      throw new CodecError(`${path}: cannot encode a ${typeof v}`);
  }
}

const align8 = (n: number) => (n + 7) & ~7;

/** Any JSON-like value with typed arrays in it, as a blob of the given kind. */
export function encodeValue(kind: Kind, value: unknown): Uint8Array {
  const blocks: Typed[] = [];
  const meta = new TextEncoder().encode(JSON.stringify(toMeta(value, blocks, '$')));
  const metaStart = HEADER + BLOCK_ENTRY * blocks.length;
  let size = align8(metaStart + meta.length);
  const starts = blocks.map((b) => {
    const s = size;
    size = align8(size + b.byteLength);
    return s;
  });
  const out = new Uint8Array(size + CRC_BYTES);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint16(4, FORMAT_VERSION, true);
  view.setUint16(6, kind, true);
  view.setUint32(8, meta.length, true);
  view.setUint32(12, blocks.length, true);
  blocks.forEach((b, i) => {
    view.setUint8(HEADER + BLOCK_ENTRY * i, dtypeOf(b).code);
    view.setUint32(HEADER + BLOCK_ENTRY * i + 4, b.length, true);
    writeElements(b, out, starts[i]);
  });
  out.set(meta, metaStart);
  view.setUint32(size, crc32(out, 0, size), true);
  return out;
}

/** The value inside a blob of the given kind, or a CodecError that says what is wrong with it. */
export function decodeValue(kind: Kind, bytes: Uint8Array): unknown {
  if (!(bytes instanceof Uint8Array)) throw new CodecError(`expected bytes, got ${typeof bytes}`);
  if (bytes.length < HEADER + CRC_BYTES)
    throw new CodecError(`truncated: ${bytes.length} bytes is shorter than the header`);
  if (MAGIC.some((m, i) => bytes[i] !== m)) throw new CodecError('not an OptLab blob (bad magic bytes)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(4, true);
  if (version > FORMAT_VERSION)
    throw new CodecError(
      `blob format version ${version} is newer than this OptLab reads (${FORMAT_VERSION}); upgrade OptLab`,
    );
  if (version < 1) throw new CodecError(`bad blob format version ${version}`);
  const found = view.getUint16(6, true);
  if (found !== kind)
    throw new CodecError(`expected a ${KIND_NAME[kind]} blob, got ${KIND_NAME[found] ?? `kind ${found}`}`);
  const metaBytes = view.getUint32(8, true);
  const count = view.getUint32(12, true);
  const metaStart = HEADER + BLOCK_ENTRY * count;
  if (metaStart + CRC_BYTES > bytes.length)
    throw new CodecError(
      `truncated or corrupt: the header lists ${count} blocks, more than ${bytes.length} bytes can hold`,
    );
  const entries: { ctor: TypedCtor; length: number; start: number }[] = [];
  let size = align8(metaStart + metaBytes);
  for (let i = 0; i < count; i++) {
    const code = view.getUint8(HEADER + BLOCK_ENTRY * i);
    const t = DTYPES.find((d) => d.code === code);
    if (!t) throw new CodecError(`corrupt: block ${i} has unknown element type ${code}`);
    const length = view.getUint32(HEADER + BLOCK_ENTRY * i + 4, true);
    entries.push({ ctor: t.ctor, length, start: size });
    size = align8(size + length * t.ctor.BYTES_PER_ELEMENT);
  }
  if (bytes.length < size + CRC_BYTES)
    throw new CodecError(`truncated: ${bytes.length} bytes, the header describes ${size + CRC_BYTES}`);
  if (bytes.length > size + CRC_BYTES)
    throw new CodecError(`corrupt: ${bytes.length - size - CRC_BYTES} unexpected bytes after the data`);
  const stored = view.getUint32(size, true);
  if (crc32(bytes, 0, size) !== stored) throw new CodecError('corrupt: checksum mismatch');

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(metaStart, metaStart + metaBytes));
  } catch {
    throw new CodecError('corrupt: metadata is not UTF-8');
  }
  const used = new Array<boolean>(count).fill(false);
  let value: unknown;
  try {
    value = JSON.parse(text, (_k, v: unknown) => {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
      const keys = Object.keys(v);
      if (keys.length !== 1 || keys[0] !== TAG) return v;
      const m = (v as Record<string, unknown>)[TAG];
      if (typeof m === 'string' && m in SPECIAL) return SPECIAL[m];
      if (typeof m === 'number' && Number.isInteger(m) && m >= 0 && m < count && !used[m]) {
        used[m] = true;
        const e = entries[m];
        return readElements(e.ctor, bytes, e.start, e.length);
      }
      throw new CodecError(`corrupt: bad marker ${JSON.stringify(m)}`);
    });
  } catch (e) {
    if (e instanceof CodecError) throw e;
    throw new CodecError(`corrupt: metadata is not valid JSON (${(e as Error).message})`);
  }
  const unused = used.indexOf(false);
  if (unused >= 0) throw new CodecError(`corrupt: block ${unused} is not referenced`);
  return value;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);

function numbers(v: unknown, path: string, out: string[]): void {
  if (!isRecord(v)) return void out.push(`${path}: must be an object`);
  for (const [k, x] of Object.entries(v)) if (typeof x !== 'number') out.push(`${path}.${k}: must be a number`);
}

/** What is wrong with a value that claims to be a JobResult (empty when nothing is). */
export function jobResultProblems(v: unknown): string[] {
  const out: string[] = [];
  if (!isRecord(v)) return ['must be an object'];
  if (typeof v.key !== 'string') out.push('key: must be a string');
  if (!Array.isArray(v.history)) out.push('history: must be an array');
  else v.history.forEach((r, i) => numbers(r, `history[${i}]`, out));
  if (!isRecord(v.final)) out.push('final: must be an object');
  else for (const [k, m] of Object.entries(v.final)) numbers(m, `final.${k}`, out);
  for (const k of ['bestEpoch', 'paramCount', 'outDim'])
    if (typeof v[k] !== 'number') out.push(`${k}: must be a number`);
  for (const k of ['stoppedEarly', 'diverged']) if (typeof v[k] !== 'boolean') out.push(`${k}: must be a boolean`);
  if (!isRecord(v.outputs)) out.push('outputs: must be an object');
  else
    for (const [k, a] of Object.entries(v.outputs))
      if (!(a instanceof Float32Array)) out.push(`outputs.${k}: must be a Float32Array`);
  if (v.analysis !== undefined) numbers(v.analysis, 'analysis', out);
  if (v.state !== undefined && !(v.state instanceof Float32Array)) out.push('state: must be a Float32Array');
  return out;
}

export function encodeJobResult(r: JobResult): Uint8Array {
  const problems = jobResultProblems(r);
  if (problems.length) throw new CodecError(`cannot encode job result: ${problems.join('; ')}`);
  return encodeValue(KIND.jobResult, r);
}

export function decodeJobResult(bytes: Uint8Array): JobResult {
  const v = decodeValue(KIND.jobResult, bytes);
  const problems = jobResultProblems(v);
  if (problems.length) throw new CodecError(`corrupt job result: ${problems.join('; ')}`);
  return v as JobResult;
}

/** The data set with its arrays cut to n·d and n values: the part the hash covers. */
export function encodeDataset(ds: Dataset): Uint8Array {
  return encodeValue(KIND.dataset, { ...ds, x: ds.x.subarray(0, ds.n * ds.d), y: ds.y.subarray(0, ds.n) });
}

export function decodeDataset(bytes: Uint8Array): Dataset {
  const v = decodeValue(KIND.dataset, bytes);
  if (!isRecord(v)) throw new CodecError('corrupt data set: not an object');
  const out: string[] = [];
  if (typeof v.name !== 'string') out.push('name: must be a string');
  if (v.task !== 'classification' && v.task !== 'regression')
    out.push('task: must be "classification" or "regression"');
  for (const k of ['n', 'd', 'classes']) if (typeof v[k] !== 'number') out.push(`${k}: must be a number`);
  for (const k of ['x', 'y']) if (!(v[k] instanceof Float32Array)) out.push(`${k}: must be a Float32Array`);
  for (const k of ['classNames', 'featureNames'])
    if (!Array.isArray(v[k]) || !(v[k] as unknown[]).every((s) => typeof s === 'string'))
      out.push(`${k}: must be a list of strings`);
  if (!out.length) out.push(...datasetProblems(v as unknown as Dataset));
  if (out.length) throw new CodecError(`corrupt data set: ${out.join('; ')}`);
  return v as unknown as Dataset;
}
