/** How chart numbers read: readouts and tick labels. Pure (the SVG export and its tests use them without a page). */

/** A readout number: 4 significant digits, exponent form outside [1e-3, 1e5). */
export function formatValue(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(3);
  return String(Number(v.toPrecision(4)));
}

/** A tick label: plain for ordinary magnitudes, 1e-12 style for tiny and huge ones. */
export function formatTick(v: number | null): string {
  if (v === null) return '';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) {
    const e = Math.round(Math.log10(a));
    return Math.abs(a / 10 ** e - 1) < 1e-9 ? `${v < 0 ? '−' : ''}1e${e}` : v.toExponential(0);
  }
  return String(Number(v.toPrecision(4)));
}
