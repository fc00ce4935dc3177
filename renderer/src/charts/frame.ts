/** Where a plane's content is drawn: the plotting area in canvas pixels and data → canvas maps. */
export interface Frame {
  ctx: CanvasRenderingContext2D;
  left: number;
  top: number;
  width: number;
  height: number;
  /** Canvas pixels per CSS pixel. */
  ratio: number;
  px(x: number): number;
  py(y: number): number;
}
