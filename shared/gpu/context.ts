/**
 * A thin layer over one GPUDevice: buffers, compiled compute pipelines (one per WGSL source,
 * compiled once), bound dispatches, and reads back to the host. It takes the device it is
 * given and never asks for one, so the same code runs under Dawn in Node and under
 * `navigator.gpu` in a browser.
 *
 * The WebGPU flag values are written out here (they are fixed by the specification) instead of
 * read from the `GPUBufferUsage` global, which a Node process without Dawn's globals lacks.
 */

/** GPUBufferUsage flags. */
export const USAGE = {
  MAP_READ: 0x1,
  COPY_SRC: 0x4,
  COPY_DST: 0x8,
  UNIFORM: 0x40,
  STORAGE: 0x80,
} as const;
/** GPUMapMode.READ. */
const MAP_READ_MODE = 0x1;

/** Threads per workgroup of every one-dimensional kernel. */
export const WG = 256;
/** Largest workgroup count in one dimension (the WebGPU default limit). */
const MAX_GROUPS = 65535;

/** One compute dispatch with its resources bound, ready to encode any number of times. */
export interface Dispatch {
  pipeline: GPUComputePipeline;
  group: GPUBindGroup;
  /** Workgroups in x and y. */
  x: number;
  y: number;
}

/** A uniform field: an unsigned integer or a float, 4 bytes each, in declaration order. */
export type Field = ['u', number] | ['f', number];

/** Packs fields into a uniform's bytes (padded to 16, as uniform buffers want). */
export function packFields(fields: readonly Field[]): ArrayBuffer {
  const bytes = new ArrayBuffer(Math.max(16, Math.ceil((fields.length * 4) / 16) * 16));
  const v = new DataView(bytes);
  fields.forEach(([kind, x], i) => (kind === 'u' ? v.setUint32(i * 4, x, true) : v.setFloat32(i * 4, x, true)));
  return bytes;
}

/** Workgroups for `n` threads of a one-dimensional kernel (WGSL reads the index with `flatIndex`). */
export function groups1d(n: number): [number, number] {
  const g = Math.max(1, Math.ceil(n / WG));
  if (g <= MAX_GROUPS) return [g, 1];
  return [MAX_GROUPS, Math.ceil(g / MAX_GROUPS)];
}

export class GpuContext {
  readonly device: GPUDevice;
  readonly #pipelines = new Map<string, GPUComputePipeline>();
  /** Every buffer made through `buffer`, so that `destroyAll` frees what a session made. */
  readonly #owned = new Set<GPUBuffer>();
  /** The first error the device reported on its own (a validation error, an out-of-memory, a loss). */
  #error: string | null = null;

  constructor(device: GPUDevice) {
    this.device = device;
    // Errors outside an error scope arrive as events; a later read refuses to return stale numbers.
    device.addEventListener('uncapturederror', (e) => {
      this.#error ??= e.error.message;
    });
    void device.lost.then((info) => {
      this.#error ??= `the device was lost (${info.reason}): ${info.message}`;
    });
  }

  /** Throws the first error the device reported, if any. */
  check(): void {
    if (this.#error !== null) throw new Error(`WebGPU: ${this.#error}`);
  }

  /** The pipeline of a WGSL source with entry point `main`, compiled on first use. */
  pipeline(code: string): GPUComputePipeline {
    let p = this.#pipelines.get(code);
    if (!p) {
      const module = this.device.createShaderModule({ code });
      p = this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
      this.#pipelines.set(code, p);
    }
    return p;
  }

  /** A storage buffer of `bytes` (at least 16), readable and writable by copies. */
  buffer(bytes: number, extra = 0): GPUBuffer {
    const b = this.device.createBuffer({
      size: Math.max(16, Math.ceil(bytes / 16) * 16),
      usage: USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST | extra,
    });
    this.#owned.add(b);
    return b;
  }

  /** A storage buffer holding `data`. */
  upload(data: ArrayBufferView): GPUBuffer {
    const b = this.buffer(data.byteLength);
    this.write(b, data);
    return b;
  }

  /** Copies `data` into `b` at byte `offset` (queued before the next submit). */
  write(b: GPUBuffer, data: ArrayBufferView, offset = 0): void {
    // writeBuffer wants a multiple of 4 bytes; every array here holds 4-byte values.
    this.device.queue.writeBuffer(b, offset, data.buffer, data.byteOffset, data.byteLength);
  }

  /** A uniform buffer with these fields. */
  uniform(fields: readonly Field[]): GPUBuffer {
    const bytes = packFields(fields);
    const b = this.device.createBuffer({ size: bytes.byteLength, usage: USAGE.UNIFORM | USAGE.COPY_DST });
    this.#owned.add(b);
    this.device.queue.writeBuffer(b, 0, bytes);
    return b;
  }

  /** Binds `buffers` to bindings 0, 1, … of `code`'s group 0. */
  dispatch(code: string, buffers: readonly GPUBuffer[], groups: [number, number]): Dispatch {
    const pipeline = this.pipeline(code);
    const group = this.device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    return { pipeline, group, x: groups[0], y: groups[1] };
  }

  /** Encodes dispatches into one compute pass of `enc`. */
  encode(enc: GPUCommandEncoder, list: readonly Dispatch[]): void {
    if (list.length === 0) return;
    const pass = enc.beginComputePass();
    for (const d of list) {
      pass.setPipeline(d.pipeline);
      pass.setBindGroup(0, d.group);
      pass.dispatchWorkgroups(d.x, d.y);
    }
    pass.end();
  }

  /** Runs dispatches now (one submit). */
  run(list: readonly Dispatch[]): void {
    const enc = this.device.createCommandEncoder();
    this.encode(enc, list);
    this.device.queue.submit([enc.finish()]);
  }

  /** Reads `bytes` from each of `parts` (buffer, byte offset) after everything submitted so far. */
  async read(parts: ReadonlyArray<[GPUBuffer, number, number]>): Promise<ArrayBuffer[]> {
    const sizes = parts.map(([, , n]) => Math.ceil(n / 4) * 4);
    const total = sizes.reduce((a, b) => a + b, 0);
    const staging = this.device.createBuffer({ size: Math.max(16, total), usage: USAGE.MAP_READ | USAGE.COPY_DST });
    try {
      const enc = this.device.createCommandEncoder();
      let at = 0;
      parts.forEach(([b, offset], i) => {
        if (sizes[i] > 0) enc.copyBufferToBuffer(b, offset, staging, at, sizes[i]);
        at += sizes[i];
      });
      this.device.queue.submit([enc.finish()]);
      await staging.mapAsync(MAP_READ_MODE);
      this.check();
      const all = staging.getMappedRange().slice(0);
      staging.unmap();
      const out: ArrayBuffer[] = [];
      at = 0;
      for (let i = 0; i < parts.length; i++) {
        out.push(all.slice(at, at + parts[i][2]));
        at += sizes[i];
      }
      return out;
    } finally {
      staging.destroy();
    }
  }

  /** Reads `count` floats of `b` from float index `at`. */
  async readF32(b: GPUBuffer, count: number, at = 0): Promise<Float32Array> {
    const [bytes] = await this.read([[b, at * 4, count * 4]]);
    return new Float32Array(bytes);
  }

  /** Frees every buffer this context made (pipelines stay compiled for the next session). */
  destroyAll(): void {
    for (const b of this.#owned) b.destroy();
    this.#owned.clear();
  }

  /** Stops tracking `b` (it outlives the session: a data set kept for the next fit). */
  keep(b: GPUBuffer): void {
    this.#owned.delete(b);
  }

  /** Frees one buffer now. */
  release(b: GPUBuffer): void {
    this.#owned.delete(b);
    b.destroy();
  }
}
