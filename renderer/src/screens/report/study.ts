/**
 * Each study's signature figure as LineChart data, from the report's study series: one or
 * two charts per study, each with its lines, bands and an optional marker.
 */
import type { StudyView } from '../../../../shared/lab-api.ts';
import type { Band, PlotSeries } from './curves.ts';

type Col = (number | null)[];
export interface Figure {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  series: PlotSeries[];
  data: Col[];
  bands: Band[];
  marker: number | null;
  note: string;
}

const fig = (f: Partial<Figure> & Pick<Figure, 'id' | 'title' | 'xLabel' | 'yLabel' | 'series' | 'data'>): Figure => ({
  bands: [],
  marker: null,
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

export function studyFigures(v: StudyView): Figure[] {
  switch (v.kind) {
    case 'optimizers': {
      const cs = v.series.curves;
      const epochs = [...new Set(cs.flatMap((c) => c.epoch.filter((e): e is number => e !== null)))].sort(
        (a, b) => a - b,
      );
      const at = (c: (typeof cs)[number], k: 'val_accuracy' | 'val_loss') =>
        epochs.map((e) => {
          const i = c.epoch.indexOf(e);
          return i < 0 ? null : (c[k]?.mean[i] ?? null);
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
      const x = p.map((q) => Math.log10(Math.max(1, q.parameters ?? 1)));
      const lo = (e: { mean: number | null; std: number | null }) =>
        e.mean !== null && e.std !== null ? e.mean - e.std : null;
      const hi = (e: { mean: number | null; std: number | null }) =>
        e.mean !== null && e.std !== null ? e.mean + e.std : null;
      let u = -1;
      p.forEach((q, i) => {
        if (q.val.mean !== null && (u < 0 || q.val.mean < (p[u].val.mean ?? Infinity))) u = i;
      });
      return [
        fig({
          id: 'study-capacity',
          title: `Capacity: error against ${v.series.path} (log₁₀ parameters)`,
          xLabel: 'log₁₀ parameters',
          yLabel: 'error',
          series: [
            { label: 'train error', color: 0 },
            { label: 'validation error', color: 1, part: 'val' },
          ],
          data: [x, p.map((q) => q.train.mean), p.map((q) => q.val.mean)],
          bands: [
            { lo: p.map((q) => lo(q.train)), hi: p.map((q) => hi(q.train)), color: 0 },
            { lo: p.map((q) => lo(q.val)), hi: p.map((q) => hi(q.val)), color: 1 },
          ],
          marker: u >= 0 ? x[u] : null,
          note:
            u >= 0
              ? `The dotted line marks the lowest validation error (${v.series.path} = ${p[u].x}): the bottom of the U.`
              : '',
        }),
      ];
    }
    case 'bias-variance': {
      const p = v.series.points;
      return [
        fig({
          id: 'study-bias-variance',
          title: `Bias–variance against ${v.series.path} (setting index)`,
          xLabel: `${v.series.path} (index: ${p.map((q) => q.x).join(', ')})`,
          yLabel: 'error',
          series: [
            { label: 'bias²', color: 0 },
            { label: 'variance', color: 1 },
            { label: 'noise', color: 6, dash: [2, 3] },
            { label: 'expected error', color: 3, width: 2.5 },
          ],
          data: [
            p.map((_, i) => i),
            p.map((q) => q.bias2),
            p.map((q) => q.variance),
            p.map((q) => q.noise),
            p.map((q) => q.expectedError),
          ],
        }),
      ];
    }
    case 'batch-size': {
      const p = v.series.points;
      const x = p.map((q, i) =>
        q.batchSize === 'full'
          ? Math.log2(Math.max(1, typeof p[i - 1]?.batchSize === 'number' ? (p[i - 1].batchSize as number) * 2 : 1024))
          : Math.log2(q.batchSize ?? 1),
      );
      const sk = Object.keys(p[0]?.sharpness ?? {})[0];
      const out = [
        fig({
          id: 'study-batch-size',
          title: 'Batch size: test accuracy and sharpness',
          xLabel: 'log₂ batch size',
          yLabel: 'test accuracy / sharpness',
          series: [
            { label: 'test accuracy', color: 0 },
            ...(sk ? [{ label: `sharpness (${sk})`, color: 1, part: 'val' as const }] : []),
          ],
          data: [x, p.map((q) => mean(q.test_accuracy)), ...(sk ? [p.map((q) => mean(q.sharpness[sk]))] : [])],
          bands: [
            {
              lo: p.map((q) => band(q.test_accuracy, 'std')[0]),
              hi: p.map((q) => band(q.test_accuracy, 'std')[1]),
              color: 0,
            },
          ],
        }),
      ];
      const ip = v.series.interpolation;
      if (ip) {
        const sets = Object.keys(ip.loss);
        out.push(
          fig({
            id: 'study-interpolation',
            title: `Loss on the line from ${ip.from} (α = 0, SB) to ${ip.to} (α = 1, LB)`,
            xLabel: 'α',
            yLabel: 'loss',
            series: sets.map((s, i) => ({
              label: `${s} loss`,
              color: i,
              part: s === 'train' ? ('train' as const) : ('val' as const),
            })),
            data: [ip.alphas, ...sets.map((s) => ip.loss[s])],
            marker: 1,
            note: 'Keskar et al. (2017): the small-batch solution at α = 0, the large-batch one at α = 1 (dotted guide).',
          }),
        );
      }
      return out;
    }
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
          marker: null,
          note: 'The band is each configuration’s 95% interval, shifted by the baseline’s mean.',
        }),
      ];
    }
    case 'ensembles': {
      const cs = v.series.curves;
      const sizes = [...new Set(cs.flatMap((c) => (c.curve ?? []).map((q) => q.size ?? 0)))].sort((a, b) => a - b);
      return [
        fig({
          id: 'study-ensembles',
          title: 'Ensembles: score against members or rounds',
          xLabel: 'members / rounds',
          yLabel: 'score',
          series: cs.map((c, i) => ({ label: c.label, color: i })),
          data: [
            sizes,
            ...cs.map((c) => sizes.map((s) => mean(c.curve?.find((q) => q.size === s)?.value) ?? mean(c.single))),
          ],
        }),
      ];
    }
  }
}
