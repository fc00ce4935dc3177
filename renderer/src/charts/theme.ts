/**
 * uPlot options that follow the page's theme (text, grid and tick colours read from the CSS
 * custom properties), and the number format of hover readouts.
 */
import type uPlot from 'uplot';

export { formatTick, formatValue } from './format.ts';

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/** An axis labelled `label`, in the theme's colours; uPlot picks the ticks. */
export function themedAxis(label: string, extra: Partial<uPlot.Axis> = {}): uPlot.Axis {
  const ink = cssVar('--muted', '#555');
  const grid = cssVar('--grid', 'rgba(0,0,0,0.07)');
  const { grid: gridExtra, ticks: ticksExtra, ...rest } = extra;
  return {
    label,
    stroke: ink,
    labelFont: '600 12px system-ui, sans-serif',
    font: '11px system-ui, sans-serif',
    grid: { stroke: grid, width: 1, ...gridExtra },
    ticks: { stroke: grid, width: 1, size: 4, ...ticksExtra },
    ...rest,
  };
}

/** The theme's text colour (for `ink` series and labels drawn on canvases). */
export function inkColor(): string {
  return cssVar('--ink', '#222');
}

/**
 * What a logarithmic axis keeps of uPlot's splits: across three decades or more, the powers
 * of ten only, at most about six of them evenly spaced (a loss falling through twenty
 * decades would otherwise draw a wall of grid lines); within a decade or two, 1, 2 and 5
 * times a power of ten.
 */
export function logSplitsFilter(_u: uPlot, splits: number[]): (number | null)[] {
  const mantissa = (v: number) => v / 10 ** Math.floor(Math.log10(v) + 1e-9);
  const isDecade = (v: number) => v > 0 && Math.abs(mantissa(v) - 1) < 1e-6;
  const decades = splits.filter(isDecade);
  if (decades.length < 3)
    return splits.map((v) => (v > 0 && [1, 2, 5].some((m) => Math.abs(mantissa(v) - m) < 1e-6) ? v : null));
  const every = Math.max(1, Math.ceil(decades.length / 6));
  return splits.map((v) => (isDecade(v) && Math.round(Math.log10(v)) % every === 0 ? v : null));
}
