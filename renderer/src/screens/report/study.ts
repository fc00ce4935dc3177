/**
 * Each study's signature figure as chart data, from the report's study series: one or two
 * charts per study, each with its lines, bands, guides and axes. Pure, so tested without a page.
 */
import type { StudyView } from '../../../../shared/lab-api.ts';
import type { Guide } from '../../charts/series.ts';
import type { Band, PlotSeries } from './curves.ts';

type Col = (number | null | undefined)[];
export interface Figure {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  /** Label of the right y axis (series with `axis: 'y2'`). */
  y2Label?: string;
  xScale?: 'linear' | 'log2' | 'log10';
  y2Scale?: 'linear' | 'log';
  series: PlotSeries[];
  data: Col[];
  bands: Band[];
  guides: Guide[];
  note: string;
}

const fig = (f: Partial<Figure> & Pick<Figure, 'id' | 'title' | 'xLabel' | 'yLabel' | 'series' | 'data'>): Figure => ({
  bands: [],
  guides: [],
  note: '',
  ...f,
});

type Sum = { mean: number | null; std: number | null; ci95?: [number | null, number | null] | null } | undefined | null;
const mean = (s: Sum) => s?.mean ?? null;
const band = (s: Sum, k: 'std' | 'ci'): [number | null, number | null] => {
  if (!s || s.mean === null) return [null, null];
  if (k === 'ci') return s.ci95 ? [s.ci95[0], s.ci95[1]] : [null, null];
  return s.std === null ? [null, null] : [s.mean - s.std, s.mean + s.std];
};
const stdBand = (xs: Sum[], color: number, axis?: 'y2'): Band => ({
  lo: xs.map((s) => band(s, 'std')[0]),
  hi: xs.map((s) => band(s, 'std')[1]),
  color,
  ...(axis ? { axis } : {}),
});

/**
 * A swept value as a number: `16`, `0.01`, or a layer list `[32,32]` as its widest layer;
 * null when it is not numeric (a model kind, an optimizer).
 */
export function sweptNumber(x: string): number | null {
  const t = x.trim();
  const inner = /^\[(.*)\]$/.exec(t)?.[1] ?? t;
  const parts = inner.split(',').map((p) => p.trim());
  if (!parts.length || parts.some((p) => p === '' || !Number.isFinite(Number(p)))) return null;
  return Math.max(...parts.map(Number));
}

/** The x axis of a sweep: the swept values when all are numeric (log₂ when all positive and spread over 8× or more). */
function sweptAxis(path: string, xs: string[]): { x: number[]; label: string; scale: 'linear' | 'log2' } | null {
  const v = xs.map(sweptNumber);
  if (!v.length || v.some((q) => q === null)) return null;
  const x = v as number[];
  const log = x.every((q) => q > 0) && Math.max(...x) / Math.min(...x) >= 8;
  const name = path === 'model.hidden' ? 'hidden width (units per layer)' : path;
  return { x, label: log ? `${name}, log₂ scale` : name, scale: log ? 'log2' : 'linear' };
}

/** Index of the smallest finite value (-1 when none). */
const argmin = (xs: (number | null | undefined)[]) =>
  xs.reduce<number>((b, v, i) => (typeof v === 'number' && (b < 0 || v < (xs[b] as number)) ? i : b), -1);

export function studyFigures(v: StudyView): Figure[] {
  switch (v.kind) {
    case 'optimizers': {
      const cs = v.series.curves;
      const epochs = [...new Set(cs.flatMap((c) => c.epoch.filter((e): e is number => e !== null)))].sort(
        (a, b) => a - b,
      );
      // Undefined at epochs a configuration has no record of: each curve keeps its own length.
      const at = (c: (typeof cs)[number], k: 'val_accuracy' | 'val_loss') =>
        epochs.map((e) => {
          const i = c.epoch.indexOf(e);
          return i < 0 ? undefined : (c[k]?.mean[i] ?? null);
        });
      const k = cs.some((c) => c.val_accuracy) ? 'val_accuracy' : 'val_loss';
      return [
        fig({
          id: 'study-optimizers',
          title: `Optimizers: ${k.replace('_', ' ')} per epoch`,
          xLabel: 'epoch',
          yLabel: k,
          series: cs.map((c, i): PlotSeries => ({ label: c.label, color: i, part: 'val' })),
          data: [epochs, ...cs.map((c) => at(c, k))],
        }),
      ];
    }
    case 'capacity': {
      const p = v.series.points;
      const swept = sweptAxis(
        v.series.path,
        p.map((q) => q.x),
      );
      // Not a numeric sweep (e.g. model kinds): the parameter count measures the capacity.
      const x = swept?.x ?? p.map((q) => Math.max(1, q.parameters ?? 1));
      const u = argmin(p.map((q) => q.val.mean));
      return [
        fig({
          id: 'study-capacity',
          title: `Capacity: train and validation ${v.series.measure} against ${swept ? v.series.path : 'parameters'}`,
          xLabel: swept?.label ?? 'parameters, log₁₀ scale',
          xScale: swept?.scale ?? 'log10',
          yLabel: v.series.measure,
          series: [
            { label: 'train error', color: 0 },
            { label: 'validation error', color: 1, part: 'val' },
          ],
          data: [x, p.map((q) => q.train.mean), p.map((q) => q.val.mean)],
          bands: [
            stdBand(
              p.map((q) => q.train),
              0,
            ),
            stdBand(
              p.map((q) => q.val),
              1,
            ),
          ],
          guides: u >= 0 ? [{ x: x[u], label: 'best' }] : [],
          note:
            u >= 0
              ? `Bands: ± one std over splits. The guide marks the lowest validation error (${v.series.path} = ${p[u].x})${v.series.uShape ? ': the bottom of the U, significantly below both ends' : ''}.`
              : '',
        }),
      ];
    }
    case 'bias-variance': {
      const p = v.series.points;
      const swept = sweptAxis(
        v.series.path,
        p.map((q) => q.x),
      );
      const x = swept?.x ?? p.map((_, i) => i);
      const best = argmin(p.map((q) => q.expectedError));
      return [
        fig({
          id: 'study-bias-variance',
          title: `Bias–variance against ${v.series.path || 'the configuration'}`,
          xLabel: swept?.label ?? `${v.series.path || 'configuration'} (index: ${p.map((q) => q.x).join(', ')})`,
          xScale: swept?.scale ?? 'linear',
          yLabel: v.series.loss === 'squared' ? 'squared error' : '0-1 loss',
          series: [
            { label: 'bias²', color: 0 },
            { label: 'variance', color: 1 },
            { label: 'noise', color: 6, dash: [2, 3] },
            { label: 'expected error', color: 3, width: 2.5 },
          ],
          data: [
            x,
            p.map((q) => q.bias2),
            p.map((q) => q.variance),
            p.map((q) => q.noise),
            p.map((q) => q.expectedError),
          ],
          guides: best >= 0 ? [{ x: x[best], label: 'best' }] : [],
        }),
      ];
    }
    case 'batch-size':
      return batchSizeFigures(v.series);
    case 'regularization': {
      const base = v.series.points.find((q) => q.label === v.series.baseline);
      const b = mean(base?.value);
      const rows = v.series.points
        .filter((q) => q.label !== v.series.baseline)
        .map((q) => ({
          label: q.label,
          d: b === null || mean(q.value) === null ? null : mean(q.value)! - b,
          ci: band(q.value, 'ci'),
        }))
        .sort((a, c) => (a.d ?? -Infinity) - (c.d ?? -Infinity));
      return [
        fig({
          id: 'study-regularization',
          title: `Regularization: Δ against ${v.series.baseline}, sorted`,
          xLabel: `rank (${rows.map((r, i) => `${i}: ${r.label}`).join(', ')})`,
          yLabel: 'Δ score',
          series: [{ label: 'Δ against baseline', color: 2, points: true }],
          data: [rows.map((_, i) => i), rows.map((r) => r.d)],
          bands: [
            {
              lo: rows.map((r) => (b === null || r.ci[0] === null ? null : r.ci[0] - b)),
              hi: rows.map((r) => (b === null || r.ci[1] === null ? null : r.ci[1] - b)),
              color: 2,
            },
          ],
          note: 'The band is each configuration’s 95% interval, shifted by the baseline’s mean.',
        }),
      ];
    }
    case 'ensembles': {
      const cs = v.series.curves;
      const sizes = [
        ...new Set(cs.flatMap((c) => (c.curve ?? []).map((q) => q.size).filter((n): n is number => n !== null))),
      ].sort((a, b) => a - b);
      const series: PlotSeries[] = [];
      const data: Col[] = [sizes];
      cs.forEach((c, i) => {
        series.push({ label: c.label, color: i, ...(c.curve ? {} : { dash: [2, 3] }) });
        data.push(
          sizes.map((s) => (c.curve ? (mean(c.curve.find((q) => q.size === s)?.value) ?? undefined) : mean(c.single))),
        );
        // Bagging's out-of-bag estimate of the whole ensemble: a dashed level in its colour.
        const oob = v.series.rows.find((r) => r.label === c.label)?.oob;
        if (oob && mean(oob) !== null) {
          series.push({ label: `${c.label}: out-of-bag estimate`, color: i, part: 'val' });
          data.push(sizes.map(() => mean(oob)));
        }
      });
      const hasOob = series.some((s) => s.label.endsWith('out-of-bag estimate'));
      return [
        fig({
          id: 'study-ensembles',
          title: `Ensembles: ${v.series.metric} against members or rounds`,
          xLabel: 'members (bagging) / rounds (boosting)',
          yLabel: v.series.metric,
          series,
          data,
          note: `Single models are dotted levels${hasOob ? '; a dashed level in a bagging ensemble’s colour is its out-of-bag estimate (each row scored by the members that did not draw it)' : ''}.`,
        }),
      ];
    }
  }
}

/** `sharpness_eps_0.001` (the analysis key) → `ε-sharpness, ε = 0.001`. */
const sharpnessLabel = (key: string) => {
  const eps = /eps_(.+)$/.exec(key)?.[1];
  return eps ? `ε-sharpness, ε = ${eps}` : key;
};

type BatchSeries = Extract<StudyView, { kind: 'batch-size' }>['series'];

/**
 * Keskar et al.'s two pictures: test accuracy (left axis) and sharpness (right axis) against
 * the batch size, with the smallest (SB) and largest (LB) batches marked; and the loss on the
 * line from the SB to the LB solution, α = 0 and α = 1 marked.
 */
function batchSizeFigures(s: BatchSeries): Figure[] {
  const p = s.points;
  const numeric = p.map((q) => (typeof q.batchSize === 'number' ? q.batchSize : null));
  const largest = Math.max(1, ...numeric.filter((b): b is number => b !== null));
  // Full batch: one doubling past the largest numbered batch (the row count is not in the series).
  const x = numeric.map((b) => b ?? largest * 2);
  const full = numeric.some((b) => b === null);
  const accuracy = p.some((q) => q.test_accuracy);
  const left = accuracy ? p.map((q) => q.test_accuracy) : s.rows.map((r) => r.score);
  const leftLabel = accuracy ? 'test accuracy' : s.metric;
  const sk = Object.keys(p[0]?.sharpness ?? {}).find((k) => p.some((q) => mean(q.sharpness[k]) !== null));
  const lambda = p.some((q) => mean(q.hessian) !== null);
  const right: { label: string; values: Col }[] = [
    ...(sk ? [{ label: sharpnessLabel(sk), values: p.map((q) => mean(q.sharpness[sk])) }] : []),
    ...(lambda ? [{ label: 'λmax of the Hessian', values: p.map((q) => mean(q.hessian)) }] : []),
  ];
  const positive = right.every((r) => r.values.every((v) => v === null || v === undefined || v > 0));
  const spread = right.flatMap((r) => r.values.filter((v): v is number => typeof v === 'number'));
  const logRight = positive && spread.length > 1 && Math.max(...spread) / Math.min(...spread) >= 20;
  const out: Figure[] = [
    fig({
      id: 'study-batch-size',
      title: 'Batch size: test accuracy (left) and sharpness (right)',
      xLabel: `batch size, log₂ scale${full ? ' (full batch drawn one doubling past the largest)' : ''}`,
      xScale: 'log2',
      yLabel: leftLabel,
      y2Label: right.length ? `sharpness${logRight ? ', log scale' : ''}` : undefined,
      y2Scale: logRight ? 'log' : 'linear',
      series: [
        { label: leftLabel, color: 0, width: 2.25 },
        ...right.map((r, i): PlotSeries => ({ label: r.label, color: i + 1, part: 'val', axis: 'y2', points: false })),
      ],
      data: [x, left.map(mean), ...right.map((r) => r.values)],
      bands: [stdBand(left, 0)],
      guides:
        x.length > 1
          ? [
              { x: x[0], label: 'SB' },
              { x: x[x.length - 1], label: 'LB' },
            ]
          : [],
      note: right.length
        ? 'Solid: the left axis; dashed: the right axis. SB and LB mark the smallest and the largest batch; the band is ± one std over splits.'
        : 'No sharpness was measured (the analysis section has none).',
    }),
  ];
  const ip = s.interpolation;
  if (ip) {
    const sets = Object.keys(ip.loss);
    out.push(
      fig({
        id: 'study-interpolation',
        title: `Loss on the line θ(α) = (1 − α)·SB + α·LB, from ${ip.from} to ${ip.to}`,
        xLabel: 'α',
        yLabel: 'loss',
        series: sets.map((k, i) => ({
          label: `${k} loss`,
          color: i,
          part: k === 'train' ? ('train' as const) : k === 'test' ? ('test' as const) : ('val' as const),
        })),
        data: [ip.alphas, ...sets.map((k) => ip.loss[k])],
        guides: [
          { x: 0, label: 'SB' },
          { x: 1, label: 'LB' },
        ],
        note: `Keskar et al. (2017), split ${ip.split}: the small-batch solution at α = 0, the large-batch one at α = 1; train solid, test dotted.`,
      }),
    );
  }
  return out;
}
