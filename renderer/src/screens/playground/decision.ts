/**
 * From network outputs on the heatmap grid to what the map shows: class probabilities, and
 * colours on TensorFlow Playground's diverging scale (orange for class 0, blue for class 1,
 * neutral grey where the network is undecided); with more classes, each class's colour fading
 * to grey as the winning probability falls towards a coin toss.
 *
 * The training worker computes all of it (`decisionPicture`) and hands the page the finished
 * pixels and boundary lines, so the page only copies them onto the screen each epoch.
 */
import { contourGrid } from '../../charts/contours.ts';
import { packRings } from './rings.ts';
import { CLASS_COLORS, DECISION_STRENGTH, NEUTRAL, rgb } from '../../lib/palette.ts';

/** Class probabilities per cell (cells×classes) from raw outputs (softmax, or a sigmoid for one output). */
export function probabilities(outputs: Float32Array, outDim: number, cells: number): Float32Array {
  const classes = outDim === 1 ? 2 : outDim;
  const p = new Float32Array(cells * classes);
  for (let c = 0; c < cells; c++) {
    if (outDim === 1) {
      const p1 = 1 / (1 + Math.exp(-outputs[c]));
      p[2 * c] = 1 - p1;
      p[2 * c + 1] = p1;
      continue;
    }
    let max = -Infinity;
    for (let k = 0; k < outDim; k++) max = Math.max(max, outputs[c * outDim + k]);
    let sum = 0;
    for (let k = 0; k < outDim; k++) sum += Math.exp(outputs[c * outDim + k] - max);
    for (let k = 0; k < outDim; k++) p[c * outDim + k] = Math.exp(outputs[c * outDim + k] - max) / sum;
  }
  return p;
}

const NEUTRAL_RGB = rgb(NEUTRAL);
const CLASS_RGB = CLASS_COLORS.map(rgb);

/** Paints RGBA `pixels` (one per cell) from class probabilities (cells×classes). */
export function paintDecision(p: Float32Array, classes: number, cells: number, pixels: Uint8ClampedArray): void {
  for (let c = 0; c < cells; c++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (p[c * classes + k] > p[c * classes + best]) best = k;
    // 0 at a coin toss between all classes, 1 when the winner is certain.
    const confidence = (p[c * classes + best] - 1 / classes) / (1 - 1 / classes);
    const t = DECISION_STRENGTH * Math.min(1, Math.max(0, confidence));
    // palette.mix written out: no array per cell (4096 cells an epoch).
    const to = CLASS_RGB[best % CLASS_RGB.length];
    pixels[4 * c] = NEUTRAL_RGB[0] + (to[0] - NEUTRAL_RGB[0]) * t;
    pixels[4 * c + 1] = NEUTRAL_RGB[1] + (to[1] - NEUTRAL_RGB[1]) * t;
    pixels[4 * c + 2] = NEUTRAL_RGB[2] + (to[2] - NEUTRAL_RGB[2]) * t;
    pixels[4 * c + 3] = 255;
  }
}

/**
 * For each class, its margin over the best other class (cells values, row-major): the
 * decision boundary of class k is where its margin crosses 0.
 */
export function margins(p: Float32Array, classes: number, cells: number): Float64Array[] {
  const out: Float64Array[] = [];
  for (let k = 0; k < classes; k++) {
    const m = new Float64Array(cells);
    for (let c = 0; c < cells; c++) {
      let other = -Infinity;
      for (let j = 0; j < classes; j++) if (j !== k) other = Math.max(other, p[c * classes + j]);
      m[c] = p[c * classes + k] - other;
    }
    out.push(m);
  }
  return out;
}

/** One epoch's map, ready to draw: what the worker sends the page. */
export interface DecisionPicture {
  /** RGBA bytes, one pixel per grid cell, row-major from the top-left. */
  pixels: Uint8ClampedArray;
  /** Class probabilities per cell (cells×classes), for the hover readout. */
  probs: Float32Array;
  /** The decision boundaries (each class's margin crossing 0), packed by `packRings`. */
  boundaries: Float32Array;
}

/**
 * Raw outputs on a side×side grid → the picture: probabilities, colours and boundaries (the
 * one boundary of two classes; every class's outline with more).
 */
export function decisionPicture(outputs: Float32Array, outDim: number, side: number): DecisionPicture {
  const cells = side * side;
  const classes = outDim === 1 ? 2 : outDim;
  const probs = probabilities(outputs, outDim, cells);
  const pixels = new Uint8ClampedArray(4 * cells);
  paintDecision(probs, classes, cells, pixels);
  const ms = margins(probs, classes, cells);
  const lines = (classes === 2 ? ms.slice(0, 1) : ms).flatMap((g) => contourGrid(g, side, side, [0]));
  return { pixels, probs, boundaries: packRings(lines) };
}
