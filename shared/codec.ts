/**
 * OptLab's one binary codec: JSON-like values with typed arrays in them, as bytes. The
 * library stores job results and data sets in this form (BLOB columns, base64 in exports),
 * and the Lab and its workers send every protocol message in it (one WebSocket frame each).
 * JSON alone would turn arrays into long decimal text (slow, four times larger) and lose
 * NaN, ±Infinity and −0, which real results contain (a diverged run).
 *
 * Layout, format version 1 (integers little-endian; the library's blobs have had this layout
 * since the first release, so libraries written before this module open as they are):
 *
 *     0  "OLab"                      magic
 *     4  u16 format version          (1)
 *     6  u16 kind                    (1 job result, 2 data set, 3 protocol message)
 *     8  u32 meta bytes M
 *    12  u32 block count B
 *    16  B × { u8 dtype, 3 zero bytes, u32 element count }
 *        M bytes of UTF-8 JSON: the value with each typed array and each number JSON cannot
 *        write replaced by a marker, zero-padded to a multiple of 8
 *        each block's elements, little-endian, zero-padded to a multiple of 8
 *        u32 CRC-32 of every byte before it
 *
 * A marker is an object whose only key is "\u0000": its value is a block index, or the name
 * of a number (`NaN`, `Infinity`, `-Infinity`, `-0`). Real keys never start with NUL; the
 * encoder refuses one that does. Properties that are undefined are left out, as JSON does;
 * everything else comes back exactly, to the bit, in its key order. The same value always
 * gives the same bytes.
 *
 * Decoding is strict, because bytes come from the network and from files: anything a correct
 * encoder would not write (bad lengths, non-zero padding, unused or reused blocks, trailing
 * bytes, a bad checksum, a `__proto__` key, absurd nesting) is refused with a CodecError
 * that says what, never a crash.
 */
import { crc32 } from './crc32.ts';
import { MAX_FRAME_BYTES, type Message } from './protocol.ts';
import { datasetMessageProblems, jobResultProblems } from './protocol-validate.ts';
import type { Dataset } from './data/dataset.ts';
import type { JobResult } from './experiment/types.ts';

export { crc32 };

/** E_BAD_FRAME: not what a correct encoder writes; E_TOO_BIG: over the size limit. */
export type CodecErrorCode = 'E_BAD_FRAME' | 'E_TOO_BIG';

export class CodecError extends Error {
  constructor(
    message: string,
    readonly code: CodecErrorCode = 'E_BAD_FRAME',
  ) {
    super(message);
    this.name = 'CodecError';
  }
}

export const FORMAT_VERSION = 1;
export const KIND = { jobResult: 1, dataset: 2, message: 3 } as const;
export type Kind = (typeof KIND)[keyof typeof KIND];
const KIND_NAME: Record<number, string> = { 1: 'job result', 2: 'data set', 3: 'protocol message' };

const MAGIC = [0x4f, 0x4c, 0x61, 0x62]; // "OLab"
const HEADER = 16;
const BLOCK_ENTRY = 8;
const CRC_BYTES = 4;
/** More blocks than any value carries (a job has a handful, a result one per output set). */
const MAX_BLOCKS = 4096;
/** Nesting deeper than any value needs; bounds recursion on hostile input. */
const MAX_DEPTH = 64;

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

function dtypeOf(a: Typed, path = '$') {
  // Exact constructor match: a Buffer is a Uint8Array subclass and comes back as a Uint8Array.
  const t = DTYPES.find((d) => a instanceof d.ctor);
  if (!t) throw new CodecError(`${path}: cannot encode a ${a.constructor.name}`);
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

const TAG = '\u0000';
const SPECIAL: Record<string, number> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
  '-0': -0,
};

function toMeta(v: unknown, blocks: Typed[], path: string, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new CodecError(`${path}: nested deeper than ${MAX_DEPTH} levels`);
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
    case 'object': {
      if (v === null) return null;
      if (ArrayBuffer.isView(v)) {
        if (v instanceof DataView) throw new CodecError(`${path}: cannot encode a DataView`);
        dtypeOf(v as Typed, path);
        blocks.push(v as Typed);
        return { [TAG]: blocks.length - 1 };
      }
      if (Array.isArray(v))
        return v.map((x, i) => (x === undefined ? null : toMeta(x, blocks, `${path}[${i}]`, depth + 1)));
      const proto: unknown = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null)
        throw new CodecError(`${path}: cannot encode a ${v.constructor?.name ?? 'non-plain object'}`);
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        if (k.startsWith(TAG))
          throw new CodecError(
            `${path}: key ${JSON.stringify(k)} starts with a NUL character, which the format reserves`,
          );
        if (k === '__proto__') throw new CodecError(`${path}: cannot encode a "__proto__" key`);
        // As JSON.stringify: an undefined property is no property.
        if (x !== undefined) out[k] = toMeta(x, blocks, `${path}.${k}`, depth + 1);
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

/** Any JSON-like value with typed arrays in it, as bytes of the given kind; E_TOO_BIG over `maxBytes`. */
export function encodeValue(kind: Kind, value: unknown, maxBytes = Infinity): Uint8Array {
  const blocks: Typed[] = [];
  const meta = new TextEncoder().encode(JSON.stringify(toMeta(value, blocks, '$', 0)));
  if (blocks.length > MAX_BLOCKS) throw new CodecError(`${blocks.length} typed arrays, more than ${MAX_BLOCKS}`);
  const metaStart = HEADER + BLOCK_ENTRY * blocks.length;
  let size = align8(metaStart + meta.length);
  const starts = blocks.map((b) => {
    const s = size;
    size = align8(size + b.byteLength);
    return s;
  });
  if (size + CRC_BYTES > maxBytes)
    throw new CodecError(
      `a ${KIND_NAME[kind]} of ${size + CRC_BYTES} bytes is over the limit of ${maxBytes}`,
      'E_TOO_BIG',
    );
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

const bad = (why: string): never => {
  throw new CodecError(why);
};

function zeros(bytes: Uint8Array, from: number, to: number, what: string): void {
  for (let i = from; i < to; i++) if (bytes[i] !== 0) bad(`corrupt: non-zero padding after ${what}`);
}

/** The value inside bytes of the given kind, or a CodecError that says what is wrong with them. */
export function decodeValue(kind: Kind, bytes: Uint8Array, maxBytes = Infinity): unknown {
  if (!(bytes instanceof Uint8Array)) throw new CodecError(`expected bytes, got ${typeof bytes}`);
  if (bytes.length > maxBytes)
    throw new CodecError(`${bytes.length} bytes is over the limit of ${maxBytes}`, 'E_TOO_BIG');
  if (bytes.length >= MAGIC.length && MAGIC.some((m, i) => bytes[i] !== m)) bad('not OptLab data (bad magic bytes)');
  if (bytes.length < HEADER + CRC_BYTES) bad(`truncated: ${bytes.length} bytes is shorter than the header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(4, true);
  if (version > FORMAT_VERSION)
    bad(`format version ${version} is newer than this OptLab reads (${FORMAT_VERSION}); upgrade OptLab`);
  if (version < 1) bad(`bad format version ${version}`);
  const found = view.getUint16(6, true);
  if (found !== kind) bad(`expected a ${KIND_NAME[kind]} blob, got ${KIND_NAME[found] ?? `kind ${found}`}`);
  const metaBytes = view.getUint32(8, true);
  const count = view.getUint32(12, true);
  if (count > MAX_BLOCKS) bad(`corrupt: ${count} blocks, more than ${MAX_BLOCKS}`);
  const metaStart = HEADER + BLOCK_ENTRY * count;
  if (metaStart + metaBytes + CRC_BYTES > bytes.length)
    bad(`truncated or corrupt: the header describes more than the ${bytes.length} bytes there are`);
  const entries: { ctor: TypedCtor; length: number; start: number }[] = [];
  let size = align8(metaStart + metaBytes);
  for (let i = 0; i < count; i++) {
    const at = HEADER + BLOCK_ENTRY * i;
    const code = view.getUint8(at);
    const t = DTYPES.find((d) => d.code === code);
    if (!t) bad(`corrupt: block ${i} has unknown element type ${code}`);
    if (bytes[at + 1] | bytes[at + 2] | bytes[at + 3]) bad(`corrupt: block ${i}'s entry has non-zero reserved bytes`);
    const length = view.getUint32(at + 4, true);
    if (length * t!.ctor.BYTES_PER_ELEMENT > bytes.length) bad(`truncated: block ${i} runs past the end`);
    entries.push({ ctor: t!.ctor, length, start: size });
    size = align8(size + length * t!.ctor.BYTES_PER_ELEMENT);
  }
  if (bytes.length < size + CRC_BYTES)
    bad(`truncated: ${bytes.length} bytes, the header describes ${size + CRC_BYTES}`);
  if (bytes.length > size + CRC_BYTES)
    bad(`corrupt: ${bytes.length - size - CRC_BYTES} unexpected bytes after the data`);
  const stored = view.getUint32(size, true);
  if (crc32(bytes, 0, size) !== stored) bad('corrupt: checksum mismatch');
  zeros(bytes, metaStart + metaBytes, align8(metaStart + metaBytes), 'the metadata');
  for (const [i, e] of entries.entries()) {
    const end = e.start + e.length * e.ctor.BYTES_PER_ELEMENT;
    zeros(bytes, end, align8(end), `block ${i}`);
  }

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(metaStart, metaStart + metaBytes));
  } catch {
    return bad('corrupt: metadata is not UTF-8');
  }
  const used = new Array<boolean>(count).fill(false);
  let value: unknown;
  try {
    value = JSON.parse(text, (k, v: unknown) => {
      // An own "__proto__" key would replace the prototype of whatever copies it later.
      if (k === '__proto__') bad('corrupt: key "__proto__" is not allowed');
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
      const keys = Object.keys(v);
      if (!keys.some((x) => x.startsWith(TAG))) return v;
      if (keys.length !== 1 || keys[0] !== TAG) bad('corrupt: a key starts with the reserved NUL character');
      const m = (v as Record<string, unknown>)[TAG];
      if (typeof m === 'string' && Object.hasOwn(SPECIAL, m)) return SPECIAL[m];
      if (typeof m === 'number' && Number.isInteger(m) && m >= 0 && m < count && !used[m]) {
        used[m] = true;
        const e = entries[m];
        return readElements(e.ctor, bytes, e.start, e.length);
      }
      return bad(`corrupt: bad marker ${JSON.stringify(m)}`);
    });
  } catch (e) {
    if (e instanceof CodecError) throw e;
    return bad(`corrupt: metadata is not valid JSON (${(e as Error).message})`);
  }
  const unused = used.indexOf(false);
  if (unused >= 0) bad(`corrupt: block ${unused} is not referenced`);
  if (depthOver(value, MAX_DEPTH)) bad(`corrupt: nested deeper than ${MAX_DEPTH} levels`);
  return value;
}

function depthOver(v: unknown, max: number): boolean {
  if (max < 0) return true;
  if (typeof v !== 'object' || v === null || ArrayBuffer.isView(v)) return false;
  for (const x of Array.isArray(v) ? v : Object.values(v)) if (depthOver(x, max - 1)) return true;
  return false;
}

// ── what is encoded ───────────────────────────────────────────────────────────────────────

/** A protocol message as one frame; CodecError E_BAD_FRAME for what it cannot carry, E_TOO_BIG over `maxBytes`. */
export function encodeMessage(msg: Message, maxBytes = MAX_FRAME_BYTES): Uint8Array {
  return encodeValue(KIND.message, msg, maxBytes);
}

/** The message in a frame (still to be validated: shared/protocol-validate.ts). */
export function decodeMessage(bytes: Uint8Array, maxBytes = MAX_FRAME_BYTES): Message {
  const v = decodeValue(KIND.message, bytes, maxBytes);
  if (typeof v !== 'object' || v === null || Array.isArray(v) || ArrayBuffer.isView(v)) bad('message is not an object');
  return v as Message;
}

export function encodeJobResult(r: JobResult): Uint8Array {
  const problems = jobResultProblems(r, 'result');
  if (problems.length) throw new CodecError(`cannot encode job result: ${problems.join('; ')}`);
  return encodeValue(KIND.jobResult, r);
}

export function decodeJobResult(bytes: Uint8Array): JobResult {
  const v = decodeValue(KIND.jobResult, bytes);
  const problems = jobResultProblems(v, 'result');
  if (problems.length) throw new CodecError(`corrupt job result: ${problems.join('; ')}`);
  return v as JobResult;
}

/** The data set with its arrays cut to n·d and n values: the part the hash covers. */
export function encodeDataset(ds: Dataset): Uint8Array {
  return encodeValue(KIND.dataset, { ...ds, x: ds.x.subarray(0, ds.n * ds.d), y: ds.y.subarray(0, ds.n) });
}

export function decodeDataset(bytes: Uint8Array): Dataset {
  const v = decodeValue(KIND.dataset, bytes);
  const problems = datasetMessageProblems(v, 'dataset');
  if (problems.length) throw new CodecError(`corrupt data set: ${problems.join('; ')}`);
  return v as Dataset;
}
