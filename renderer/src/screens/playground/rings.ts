/**
 * Contour lines handed from the training worker to the page as one flat array (transferable,
 * no structured cloning of nested arrays). Free of the DOM, so that node tests type-check it.
 */

/** Contours as d3-contour gives them: polygons of rings of [column, row] points. */
export interface Rings {
  coordinates: number[][][][];
}

/**
 * Contours packed into one flat array, to cross from a worker without structured cloning of
 * nested arrays: the number of rings, then per ring its number of points and their
 * [column, row] coordinates in grid units.
 */
export function packRings(contours: readonly Rings[]): Float32Array {
  let rings = 0,
    size = 1;
  for (const c of contours)
    for (const polygon of c.coordinates)
      for (const ring of polygon) {
        rings++;
        size += 1 + 2 * ring.length;
      }
  const out = new Float32Array(size);
  out[0] = rings;
  let o = 1;
  for (const c of contours)
    for (const polygon of c.coordinates)
      for (const ring of polygon) {
        out[o++] = ring.length;
        for (const [x, y] of ring) {
          out[o++] = x;
          out[o++] = y;
        }
      }
  return out;
}

/** The closed rings of `packRings` as [column, row] points, in order (for tests and for drawing). */
export function unpackRings(packed: Float32Array): [number, number][][] {
  const rings: [number, number][][] = [];
  let o = 1;
  for (let r = 0; r < packed[0]; r++) {
    const n = packed[o++];
    const ring: [number, number][] = [];
    for (let k = 0; k < n; k++, o += 2) ring.push([packed[o], packed[o + 1]]);
    rings.push(ring);
  }
  return rings;
}

/** What `traceRings` draws on: a canvas context, or anything that records a path. */
export interface PathSink {
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  closePath(): void;
}

/** Traces packed rings as closed subpaths, grid units scaled by (sx, sy). */
export function traceRings(path: PathSink, packed: Float32Array, sx: number, sy: number): void {
  for (let r = 0, o = 1; r < packed[0]; r++) {
    const n = packed[o++];
    for (let k = 0; k < n; k++, o += 2) {
      if (k === 0) path.moveTo(packed[o] * sx, packed[o + 1] * sy);
      else path.lineTo(packed[o] * sx, packed[o + 1] * sy);
    }
    path.closePath();
  }
}
