/** The pure chart descriptions (curves.ts, study.ts) in the palette's colours and dashes. */
import type { ChartBand, ChartModel, LineSeries } from '../../charts/series.ts';
import { PART_DASH, configColor } from '../../lib/palette.ts';
import type { Band, PlotSeries } from './curves.ts';
import type { Figure } from './study.ts';

export function toLineSeries(series: readonly PlotSeries[]): LineSeries[] {
  return series.map((s) => ({
    label: s.label,
    color: configColor(s.color),
    dash: s.dash ?? (s.part ? PART_DASH[s.part] : undefined),
    width: s.width,
    points: s.points,
    axis: s.axis,
  }));
}

export function toBands(bands: readonly Band[]): ChartBand[] {
  return bands.map((b) => ({ ...b, color: configColor(b.color) }));
}

/** A study figure as the chart model both the canvas chart and the SVG export draw. */
export function figureChart(f: Figure): ChartModel {
  return {
    title: f.title,
    xLabel: f.xLabel,
    yLabel: f.yLabel,
    y2Label: f.y2Label,
    xScale: f.xScale,
    y2Scale: f.y2Scale,
    series: toLineSeries(f.series),
    data: f.data,
    bands: toBands(f.bands),
    guides: f.guides,
  };
}
