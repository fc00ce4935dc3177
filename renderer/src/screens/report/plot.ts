/** The pure chart descriptions (curves.ts, study.ts) in the palette's colours and dashes. */
import type { LineSeries } from '../../charts/series.ts';
import { PART_DASH, configColor, type SeriesColor } from '../../lib/palette.ts';
import type { Band, PlotSeries } from './curves.ts';

export function toLineSeries(series: readonly PlotSeries[]): LineSeries[] {
  return series.map((s) => ({
    label: s.label,
    color: configColor(s.color),
    dash: s.dash ?? (s.part ? PART_DASH[s.part] : undefined),
    width: s.width,
    points: s.points,
  }));
}

export function toBands(bands: readonly Band[]): { lo: Band['lo']; hi: Band['hi']; color: SeriesColor }[] {
  return bands.map((b) => ({ ...b, color: configColor(b.color) }));
}
