/**
 * A low-resolution image drawn scaled up into a plot (TensorFlow Playground's heatmap
 * method): one pixel per grid cell, painted from colours the caller computes, smoothed by
 * the browser when drawn at the plot's size.
 */
import type { Frame } from './frame.ts';

export class Raster {
  readonly canvas: HTMLCanvasElement;
  readonly #ctx: CanvasRenderingContext2D;
  readonly #image: ImageData;

  constructor(
    /** Cells per row. */
    readonly cols: number,
    /** Rows of cells (row 0 at the top). */
    readonly rows: number,
  ) {
    this.canvas = document.createElement('canvas');
    this.canvas.width = cols;
    this.canvas.height = rows;
    this.#ctx = this.canvas.getContext('2d')!;
    this.#image = this.#ctx.createImageData(cols, rows);
  }

  /** RGBA bytes of every cell, row-major from the top-left; write them, then call `commit`. */
  get pixels(): Uint8ClampedArray {
    return this.#image.data;
  }

  commit(): void {
    this.#ctx.putImageData(this.#image, 0, 0);
  }

  /** Draws the image over the whole plotting area of `f`. */
  drawInto(f: Frame, smooth = true): void {
    f.ctx.imageSmoothingEnabled = smooth;
    f.ctx.imageSmoothingQuality = 'high';
    f.ctx.drawImage(this.canvas, f.left, f.top, f.width, f.height);
  }
}
