/**
 * Binary framing of protocol messages. JSON alone would turn a data set or a result's outputs
 * into long decimal text (slow, four times larger) and lose NaN, ±Infinity and −0, which
 * real results contain (a diverged run). So a frame is a small JSON header, with each typed
 * array replaced by a reference, followed by the arrays' raw little-endian bytes:
 *
 *   0  "OLW1"                         magic and framing version
 *   4  u32 header length H (LE)
 *   8  header: UTF-8 JSON {"m": message, "a": [[kind, count], …]}
 *      zero padding to a multiple of 8
 *      array 0 bytes, zero padding to a multiple of 8
 *      array 1 bytes, …                (the frame ends exactly after the last padding)
 *
 * Inside `m`, `{"$a": i}` is array i and `{"$n": "NaN" | "Infinity" | "-Infinity" | "-0"}`
 * a number JSON cannot spell; an object key that starts with `$` is sent with one more `$`,
 * so no data can pose as a marker. Properties whose value is `undefined` are left out, as JSON
 * does (an optional field is then absent); every other value comes back exactly, to the bit.
 * Decoding is strict: anything a correct encoder would not
 * write (bad lengths, unused or reused arrays, non-zero padding, trailing bytes) is refused
 * with a WireError, never a crash, because frames come from the network.
 */
import { MAX_FRAME_BYTES, type Message } from './protocol.ts';

export type WireErrorCode = 'E_BAD_FRAME' | 'E_TOO_BIG';

export class WireError extends Error {
  constructor(
    readonly code: WireErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'WireError';
  }
}

type ArrayKind = 'f32' | 'f64' | 'u32' | 'i32';
type WireArray = Float32Array | Float64Array | Uint32Array | Int32Array;

const KINDS: Record<
  ArrayKind,
  {
    bytes: number;
    make: (buf: ArrayBuffer) => WireArray;
    get: (v: DataView, o: number) => number;
    set: (v: DataView, o: number, x: number) => void;
  }
> = {
  f32: {
    bytes: 4,
    make: (b) => new Float32Array(b),
    get: (v, o) => v.getFloat32(o, true),
    set: (v, o, x) => v.setFloat32(o, x, true),
  },
  f64: {
    bytes: 8,
    make: (b) => new Float64Array(b),
    get: (v, o) => v.getFloat64(o, true),
    set: (v, o, x) => v.setFloat64(o, x, true),
  },
  u32: {
    bytes: 4,
    make: (b) => new Uint32Array(b),
    get: (v, o) => v.getUint32(o, true),
    set: (v, o, x) => v.setUint32(o, x, true),
  },
  i32: {
    bytes: 4,
    make: (b) => new Int32Array(b),
    get: (v, o) => v.getInt32(o, true),
    set: (v, o, x) => v.setInt32(o, x, true),
  },
};

const MAGIC = [0x4f, 0x4c, 0x57, 0x31]; // "OLW1"
const PREAMBLE = 8;
/** Nesting deeper than any message needs; bounds recursion on hostile input. */
const MAX_DEPTH = 64;
/** More arrays than any message carries (a job has a handful, a result one per output set). */
const MAX_ARRAYS = 4096;

// Raw byte copies are only little-endian on a little-endian host; elsewhere values go through a DataView.
const HOST_LE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

const encoder = new TextEncoder();
const align8 = (n: number) => (n + 7) & ~7;

function kindOf(v: ArrayBufferView): ArrayKind | undefined {
  if (v instanceof Float32Array) return 'f32';
  if (v instanceof Float64Array) return 'f64';
  if (v instanceof Uint32Array) return 'u32';
  if (v instanceof Int32Array) return 'i32';
  return undefined;
}

function specialNumber(x: number): string | undefined {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0 && 1 / x < 0) return '-0';
  return undefined;
}

function isPlainObject(v: object): boolean {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** One message as a frame; throws WireError for values the framing cannot carry or a frame over `maxBytes`. */
export function encode(msg: Message, maxBytes = MAX_FRAME_BYTES): Uint8Array {
  const arrays: WireArray[] = [];
  const lower = (v: unknown, depth: number): unknown => {
    if (depth > MAX_DEPTH) throw new WireError('E_BAD_FRAME', `cannot encode: nested deeper than ${MAX_DEPTH} levels`);
    switch (typeof v) {
      case 'string':
      case 'boolean':
        return v;
      case 'number': {
        const s = specialNumber(v);
        return s === undefined ? v : { $n: s };
      }
      case 'object': {
        if (v === null) return null;
        if (ArrayBuffer.isView(v)) {
          const kind = kindOf(v);
          if (!kind)
            throw new WireError(
              'E_BAD_FRAME',
              `cannot encode a ${v.constructor.name} (only Float32Array, Float64Array, Uint32Array, Int32Array)`,
            );
          arrays.push(v as WireArray);
          return { $a: arrays.length - 1 };
        }
        if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : lower(x, depth + 1)));
        if (!isPlainObject(v))
          throw new WireError('E_BAD_FRAME', `cannot encode a ${v.constructor?.name ?? 'non-plain object'}`);
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) {
          if (x === undefined) continue;
          if (k === '__proto__') throw new WireError('E_BAD_FRAME', 'cannot encode a "__proto__" key');
          out[k.startsWith('$') ? '$' + k : k] = lower(x, depth + 1);
        }
        return out;
      }
      default:
        throw new WireError('E_BAD_FRAME', `cannot encode a value of type ${typeof v}`);
    }
  };
  const m = lower(msg, 0);
  const kinds = arrays.map((a) => [kindOf(a)!, a.length]);
  const header = encoder.encode(JSON.stringify({ m, a: kinds }));
  let total = align8(PREAMBLE + header.length);
  const offsets: number[] = [];
  for (const a of arrays) {
    offsets.push(total);
    total = align8(total + a.byteLength);
  }
  if (total > maxBytes) throw new WireError('E_TOO_BIG', `frame of ${total} bytes is over the limit of ${maxBytes}`);
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  const view = new DataView(out.buffer);
  view.setUint32(4, header.length, true);
  out.set(header, PREAMBLE);
  arrays.forEach((a, i) => {
    if (HOST_LE) out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), offsets[i]);
    else {
      const k = KINDS[kindOf(a)!];
      for (let j = 0; j < a.length; j++) k.set(view, offsets[i] + j * k.bytes, a[j]);
    }
  });
  return out;
}

const bad = (why: string): never => {
  throw new WireError('E_BAD_FRAME', why);
};

function zeros(bytes: Uint8Array, from: number, to: number, what: string): void {
  for (let i = from; i < to; i++) if (bytes[i] !== 0) bad(`non-zero padding after ${what}`);
}

const SPECIAL: Record<string, number> = { NaN: Number.NaN, Infinity: Infinity, '-Infinity': -Infinity, '-0': -0 };

/** The message in a frame; throws WireError (E_BAD_FRAME or E_TOO_BIG) on anything malformed. The result still needs validating (shared/protocol-validate.ts). */
export function decode(bytes: Uint8Array, maxBytes = MAX_FRAME_BYTES): Message {
  if (bytes.length > maxBytes)
    throw new WireError('E_TOO_BIG', `frame of ${bytes.length} bytes is over the limit of ${maxBytes}`);
  if (bytes.length < PREAMBLE) bad(`frame of ${bytes.length} bytes is shorter than its ${PREAMBLE}-byte preamble`);
  for (let i = 0; i < 4; i++) if (bytes[i] !== MAGIC[i]) bad('not an OptLab frame (bad magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(4, true);
  if (headerLength > bytes.length - PREAMBLE)
    bad(`header length ${headerLength} runs past the end of a ${bytes.length}-byte frame`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREAMBLE, PREAMBLE + headerLength));
  } catch {
    return bad('header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    return bad(`header is not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return bad('header is not an object');
  const h = header as Record<string, unknown>;
  if (Object.keys(h).length !== 2 || !Object.hasOwn(h, 'm') || !Array.isArray(h.a))
    bad('header must have exactly "m" and "a" (a list)');
  const table = h.a as unknown[];
  if (table.length > MAX_ARRAYS) bad(`${table.length} arrays, more than ${MAX_ARRAYS}`);

  let offset = align8(PREAMBLE + headerLength);
  if (offset > bytes.length) bad('header padding runs past the end of the frame');
  zeros(bytes, PREAMBLE + headerLength, offset, 'the header');
  const arrays: WireArray[] = [];
  table.forEach((entry, i) => {
    if (!Array.isArray(entry) || entry.length !== 2) bad(`array ${i}: entry must be [kind, count]`);
    const [kind, count] = entry as unknown[];
    if (typeof kind !== 'string' || !Object.hasOwn(KINDS, kind))
      bad(`array ${i}: unknown array type ${JSON.stringify(kind)}`);
    const k = KINDS[kind as ArrayKind];
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0)
      bad(`array ${i}: count must be a non-negative integer`);
    const n = count as number;
    if (n > (bytes.length - offset) / k.bytes) bad(`array ${i}: ${n} values run past the end of the frame`);
    const byteLength = n * k.bytes;
    let arr: WireArray;
    // A copy (not a view) per array: it aligns the values whatever the frame's offset, and a
    // Node Buffer's slice() would share the socket's memory.
    if (HOST_LE) arr = k.make(new Uint8Array(bytes.subarray(offset, offset + byteLength)).buffer);
    else {
      arr = k.make(new ArrayBuffer(byteLength));
      for (let j = 0; j < n; j++) arr[j] = k.get(view, offset + j * k.bytes);
    }
    arrays.push(arr);
    const end = offset + byteLength;
    const next = align8(end);
    if (next > bytes.length) bad(`array ${i}: padding runs past the end of the frame`);
    zeros(bytes, end, next, `array ${i}`);
    offset = next;
  });
  if (offset !== bytes.length) bad(`${bytes.length - offset} bytes of trailing garbage`);

  const used = new Uint8Array(arrays.length);
  const raise = (v: unknown, depth: number): unknown => {
    if (depth > MAX_DEPTH) bad(`nested deeper than ${MAX_DEPTH} levels`);
    if (typeof v !== 'object' || v === null) return v;
    if (Array.isArray(v)) return v.map((x) => raise(x, depth + 1));
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0] === '$a') {
      const i = o.$a;
      if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= arrays.length)
        return bad(`bad array reference ${JSON.stringify(i)}`);
      if (used[i]) bad(`array ${i} referenced twice`);
      used[i] = 1;
      return arrays[i];
    }
    if (keys.length === 1 && keys[0] === '$n') {
      const s = o.$n;
      if (typeof s !== 'string' || !Object.hasOwn(SPECIAL, s)) return bad(`bad number marker ${JSON.stringify(s)}`);
      return SPECIAL[s];
    }
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      // An own "__proto__" key would replace the prototype on assignment; no message has one.
      if (k === '__proto__') bad('key "__proto__" is not allowed');
      if (k.startsWith('$') && !k.startsWith('$$')) bad(`unknown marker key ${JSON.stringify(k)}`);
      out[k.startsWith('$') ? k.slice(1) : k] = raise(o[k], depth + 1);
    }
    return out;
  };
  const msg = raise(h.m, 0);
  const unused = used.indexOf(0);
  if (unused >= 0) bad(`array ${unused} is never referenced`);
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) bad('message is not an object');
  return msg as Message;
}
