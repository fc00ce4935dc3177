/** Plain-text rendering of an experiment report: what a student can paste into a write-up. */
import type { Jsonified, ReportJson } from '../../shared/lab-api.ts';
import { formatStudy } from './study.ts';
import type { Summary } from '../../shared/stats/describe.ts';

export function fmtNum(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  if (v !== 0 && (Math.abs(v) >= 1e5 || Math.abs(v) < 1e-3)) return v.toExponential(2);
  return v.toFixed(digits);
}

/** Marks an interval clipped to its metric's range (explained under the table). */
const CLIPPED = '†';

/** Whether any summary of the report had its interval clipped. */
function anyClipped(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  if ((v as { ci95Clipped?: unknown }).ci95Clipped === true) return true;
  return Object.values(v).some(anyClipped);
}

export function fmtSummary(s: Jsonified<Summary> | undefined, digits = 4): string {
  if (!s || s.mean === null) return '—';
  const std = s.std === null ? '' : ` ± ${fmtNum(s.std, digits)}`;
  const ci = s.ci95
    ? ` [${fmtNum(s.ci95[0], digits)}, ${fmtNum(s.ci95[1], digits)}]${s.ci95Clipped ? CLIPPED : ''}`
    : '';
  return `${fmtNum(s.mean, digits)}${std}${ci}`;
}

/** How to lay a report out. */
export interface ReportLayout {
  /** Characters per line (a terminal's width); undefined: no limit (`--wide`, files, pipes). */
  width?: number;
}

const GAP = '  ';

function oneTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (c ?? '').padEnd(widths[i]))
      .join(GAP)
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/**
 * A table in `width` characters: its first column, then as many of the others as fit; the
 * columns left over follow in tables of their own, each again with the first column. Nothing
 * is cut or dropped (a single column wider than the line is printed as it is).
 */
export function table(header: string[], rows: string[][], width?: number): string {
  const widthOf = (i: number) => Math.max(header[i].length, ...rows.map((r) => (r[i] ?? '').length));
  if (width === undefined || header.length <= 2) return oneTable(header, rows);
  const first = widthOf(0);
  const groups: number[][] = [];
  let group: number[] = [];
  let used = first;
  for (let i = 1; i < header.length; i++) {
    const w = GAP.length + widthOf(i);
    if (group.length && used + w > width) {
      groups.push(group);
      group = [];
      used = first;
    }
    group.push(i);
    used += w;
  }
  groups.push(group);
  const pick = (r: string[], g: number[]) => [r[0], ...g.map((i) => r[i])];
  return groups
    .map((g) =>
      oneTable(
        pick(header, g),
        rows.map((r) => pick(r, g)),
      ),
    )
    .join('\n\n');
}

/** A line of text broken at spaces into lines of at most `width` (the rest indented by two). */
export function wrap(text: string, width?: number): string {
  if (width === undefined || text.length <= width) return text;
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (next.length > width && line.trim()) {
      out.push(line);
      line = `  ${word}`;
    } else line = next;
  }
  out.push(line);
  return out.join('\n');
}

export function formatReport(report: ReportJson, source: string, layout: ReportLayout = {}): string {
  const width = layout.width;
  const table_ = (header: string[], rows: string[][]) => table(header, rows, width);
  const out: string[] = [];
  const d = report.dataset;
  out.push(
    `${report.name || source} — ${report.evaluation} on ${d.name} (${d.rows} rows: ${d.dev} for training and validation, ${d.test} held-out test)`,
  );
  // Which engine trained the models: only said when it was not the CPU's reference path.
  for (const b of report.backends ?? [])
    out.push(
      b.name === 'webgpu'
        ? `trained on WebGPU (${b.adapter}): ${b.jobs} job${b.jobs === 1 ? '' : 's'}, within the tolerance of the CPU's numbers, not their bits`
        : `trained on the CPU: ${b.jobs} job${b.jobs === 1 ? '' : 's'}${b.declined ? ` (the GPU declined: ${b.declined})` : ''}`,
    );
  out.push('mean ± std [95% interval] over splits');
  if (anyClipped(report.configurations))
    out.push(
      `${CLIPPED} interval clipped to the metric's range (the t-interval left it: few splits, or values near a bound)`,
    );
  out.push('');
  const classification = report.primaryMetric === 'val_accuracy';
  const metrics = classification
    ? ['val_accuracy', 'test_accuracy', 'train_accuracy', 'gap_accuracy', 'val_loss']
    : ['val_mse', 'test_mse', 'train_mse', 'gap_mse', 'val_r2'];
  const present = metrics.filter((m) => report.configurations.some((c) => c.metrics[m]?.n));
  const best = bestConfig(report);
  const significant = new Set(
    report.comparisons
      .filter((c) => c.significant && (c.a === best || c.b === best))
      .map((c) => (c.a === best ? c.b : c.a)),
  );
  out.push(
    table_(
      ['configuration', ...present],
      report.configurations.map((c) => [
        `${c.key === best ? '▲ ' : significant.has(c.key) ? '* ' : '  '}${c.label}`,
        ...present.map((m) => fmtSummary(c.metrics[m])),
      ]),
    ),
  );
  if (report.configurations.length > 1) {
    out.push('');
    out.push(
      `▲ best by ${report.primaryMetric}; * differs from it significantly (corrected resampled t-test, Holm-adjusted p ≤ 0.05)`,
    );
  }
  for (const c of report.configurations) {
    const extra: string[] = [];
    if (c.diverged) extra.push(`${c.diverged} split(s) diverged`);
    if (c.ensemble) {
      const e = c.ensemble;
      const last = e.curveSummary.at(-1);
      extra.push(
        `${e.kind} (${e.method}): ${e.metric} with ${last?.size} ${e.kind === 'boosting' ? 'rounds' : 'members'} ${fmtSummary(last?.value)}` +
          (e.oobSummary ? `; out-of-bag ${fmtSummary(e.oobSummary)}` : '') +
          (e.note ? ` — ${e.note}` : ''),
      );
    }
    if (c.analysis) for (const [k, s] of Object.entries(c.analysis)) extra.push(`${k} ${fmtSummary(s)}`);
    if (c.biasVariance) {
      const b = c.biasVariance;
      extra.push(
        `bias² ${fmtNum(b.bias2)}  variance ${fmtNum(b.variance)}  noise ${fmtNum(b.noise)}  expected error ${fmtNum(b.expectedError)} (measured ${fmtNum(b.measuredError)})`,
      );
    }
    if (extra.length) {
      out.push('');
      out.push(`${c.label}:`);
      for (const e of extra) out.push(`  ${e}`);
    }
  }
  if (report.comparisons.length) {
    out.push('');
    out.push(
      report.comparisons.length === 1
        ? `Comparison of ${report.primaryMetric} (a − b), corrected resampled t-test (Nadeau & Bengio); one pair, so Holm's adjustment leaves p as it is:`
        : `Pairwise comparisons of ${report.primaryMetric} (a − b), corrected resampled t-test (Nadeau & Bengio), Holm over ${report.comparisons.length} pairs:`,
    );
    const label = (k: string) => report.configurations.find((c) => c.key === k)?.label ?? k;
    const rows = report.comparisons
      .slice()
      .sort((x, y) => (x.p ?? NaN) - (y.p ?? NaN))
      .slice(0, 15)
      .map((c) => [
        `${label(c.a)}  vs  ${label(c.b)}`,
        fmtNum(c.meanDifference),
        fmtNum(c.t, 2),
        fmtNum(c.p),
        fmtNum(c.pHolm),
        c.significant ? 'yes' : 'no',
      ]);
    out.push(table_(['pair', 'mean diff', 't', 'p', 'p (Holm)', 'significant'], rows));
    if (report.comparisons.length > 15) out.push(`(${report.comparisons.length - 15} more pairs in --json)`);
  }
  if (report.study) {
    out.push('');
    out.push(...formatStudy(report.study));
  }
  for (const w of report.warnings ?? []) out.push('', `warning: ${w}`);
  return out.map((l) => (l.includes('\n') ? l : wrap(l, width))).join('\n');
}

/** The configuration with the best mean primary metric (highest accuracy, lowest mse). */
export function bestConfig(report: ReportJson): string | undefined {
  const higher = report.primaryMetric.endsWith('accuracy');
  let best: string | undefined,
    bestV = 0;
  for (const c of report.configurations) {
    const v = c.metrics[report.primaryMetric]?.mean;
    if (v === null || v === undefined) continue;
    if (best === undefined || (higher ? v > bestV : v < bestV)) {
      best = c.key;
      bestV = v;
    }
  }
  return best;
}
