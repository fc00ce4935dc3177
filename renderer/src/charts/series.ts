import type { SeriesColor } from '../lib/palette.ts';

/** One line of a LineChart. */
export interface LineSeries {
  label: string;
  color: SeriesColor;
  /** Dash pattern in CSS pixels (train solid, validation dashed, test dotted). */
  dash?: number[];
  width?: number;
  /** Dots at the values and no line (a strip plot). */
  points?: boolean;
}
