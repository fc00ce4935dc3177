/**
 * The report's table per configuration as rows of text, and the same rows as CSV and LaTeX
 * (what the export buttons write). Pure: the tests check it against hand-written tables.
 */
import type { ReportJson } from '../../../../shared/lab-api.ts';

type Config = ReportJson['configurations'][number];

/** Whether a larger value of the metric is better. */
export function higherIsBetter(metric: string): boolean {
  return /accuracy|r2/.test(metric);
}

/** The best configuration's index by the mean of `metric`, or -1. */
export function bestIndex(r: ReportJson, metric: string): number {
  let best = -1;
  let bv = 0;
  r.configurations.forEach((c, i) => {
    const v = c.metrics[metric]?.mean;
    if (v === null || v === undefined) return;
    if (best < 0 || (higherIsBetter(metric) ? v > bv : v < bv)) {
      best = i;
      bv = v;
    }
  });
  return best;
}

/** Whether configuration `i` differs significantly (Holm-corrected) from the best one on the primary metric. */
export function significantVsBest(r: ReportJson, i: number): boolean {
  const b = bestIndex(r, r.primaryMetric);
  if (b < 0 || b === i) return false;
  const ka = r.configurations[i].key;
  const kb = r.configurations[b].key;
  return r.comparisons.some(
    (c) =>
      c.metric === r.primaryMetric &&
      ((c.a === ka && c.b === kb) || (c.a === kb && c.b === ka)) &&
      c.significant === true,
  );
}

const f = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v.toFixed(4));

/** `0.9512 ± 0.0211 [0.9250, 0.9774]` */
export function cellText(c: Config, metric: string): string {
  const s = c.metrics[metric];
  if (!s || s.mean === null) return '—';
  return `${f(s.mean)} ± ${f(s.std)}${s.ci95 ? ` [${f(s.ci95[0])}, ${f(s.ci95[1])}]` : ''}`;
}

/** The metrics the table shows: the primary one first, then the other validation and test ones. */
export function tableMetrics(r: ReportJson): string[] {
  const all = new Set(r.configurations.flatMap((c) => Object.keys(c.metrics)));
  const rest = [...all].filter((m) => m !== r.primaryMetric && /^(val|test)_/.test(m)).sort();
  return [r.primaryMetric, ...rest].filter((m) => all.has(m));
}

/** Header and rows (label with its marks, then one cell per metric). */
export function tableRows(r: ReportJson): { header: string[]; rows: string[][] } {
  const metrics = tableMetrics(r);
  const b = bestIndex(r, r.primaryMetric);
  return {
    header: ['configuration', ...metrics],
    rows: r.configurations.map((c, i) => [
      `${c.label}${i === b ? ' ▲' : ''}${significantVsBest(r, i) ? ' *' : ''}`,
      ...metrics.map((m) => cellText(c, m)),
    ]),
  };
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The table as CSV: one column per statistic, numbers in full. */
export function tableCsv(r: ReportJson): string {
  const metrics = tableMetrics(r);
  const head = ['configuration', ...metrics.flatMap((m) => [`${m}_mean`, `${m}_std`, `${m}_ci_low`, `${m}_ci_high`])];
  const lines = r.configurations.map((c) =>
    [
      c.label,
      ...metrics.flatMap((m) => {
        const s = c.metrics[m];
        return [s?.mean, s?.std, s?.ci95?.[0], s?.ci95?.[1]].map((v) =>
          v === null || v === undefined ? '' : String(v),
        );
      }),
    ]
      .map(csvField)
      .join(','),
  );
  return [head.join(','), ...lines].join('\n') + '\n';
}

function tex(s: string): string {
  return s.replace(/[\\&%$#_{}~^]/g, (ch) => (ch === '\\' ? '\\textbackslash{}' : `\\${ch}`));
}

/** The table as a LaTeX tabular (booktabs), ▲ and * as in the screen's legend. */
export function tableLatex(r: ReportJson): string {
  const { header, rows } = tableRows(r);
  const body = rows.map(
    (row) =>
      row
        .map((cell, j) =>
          j === 0
            ? tex(cell.replace(' ▲', '').replace(' *', '')) +
              (cell.includes('▲') ? ' $^\\blacktriangle$' : '') +
              (cell.includes(' *') ? ' $^*$' : '')
            : tex(cell).replace(' ± ', ' $\\pm$ '),
        )
        .join(' & ') + ' \\\\',
  );
  return [
    `\\begin{tabular}{l${'r'.repeat(header.length - 1)}}`,
    '\\toprule',
    header.map(tex).join(' & ') + ' \\\\',
    '\\midrule',
    ...body,
    '\\bottomrule',
    '\\end{tabular}',
    '',
  ].join('\n');
}
