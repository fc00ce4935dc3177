/** A CSS colour, or `ink` for the theme's text colour (palette.ts's SeriesColor; kept free of the DOM here). */
type SeriesColor = string;

/**
 * A column of chart values: `null` is a real gap (a value that could not be measured, e.g. a
 * diverged epoch) and breaks the line; `undefined` means "no point at this x" (another
 * series has one there) and the line runs straight past it.
 */
export type Column = ArrayLike<number | null | undefined>;

/** One line of a LineChart. */
export interface LineSeries {
  label: string;
  color: SeriesColor;
  /** Dash pattern in CSS pixels (train solid, validation dashed, test dotted). */
  dash?: number[];
  width?: number;
  /** Dots at the values and no line (a strip plot). */
  points?: boolean;
  /** The y axis the series is read on: the left one (default) or the right one. */
  axis?: 'y' | 'y2';
}

/** A shaded band between `lo` and `hi` (a mean ± std or an interval), x as in the data's first column. */
export interface ChartBand {
  lo: Column;
  hi: Column;
  color: SeriesColor;
  axis?: 'y' | 'y2';
}

/** A labelled vertical guide (e.g. "SB" and "LB" of Keskar et al.'s plots, the bottom of a U). */
export interface Guide {
  x: number;
  label: string;
}

/**
 * Everything a line chart draws, as data: what the canvas chart shows and what its SVG export
 * (svg.ts) writes.
 */
export interface ChartModel {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Label of the right y axis; series with `axis: 'y2'` are read on it. */
  y2Label?: string;
  series: readonly LineSeries[];
  /** [x, y₁, y₂, …], one column per series, all as long as x. */
  data: readonly Column[];
  bands?: readonly ChartBand[];
  guides?: readonly Guide[];
  /** x scale: linear (default) or logarithmic in base 2 or 10. */
  xScale?: 'linear' | 'log2' | 'log10';
  /** Left y scale: linear (default), log, or arcsinh. */
  yScale?: 'linear' | 'log' | 'asinh';
  /** Right y scale. */
  y2Scale?: 'linear' | 'log';
}
