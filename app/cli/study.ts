/**
 * Plain-text rendering of a study's typed series, for the command line and for write-ups: a
 * table per study, then its summary sentences. The series stay data; this is one view of them.
 */
import type { Jsonified } from '../../shared/lab-api.ts';
import type { Summary } from '../../shared/stats/describe.ts';
import type { StudySeries } from '../../shared/experiment/studies.ts';
import { describeRule } from '../../shared/experiment/studies/batch-size.ts';
import { formatP, sig } from '../../shared/experiment/studies/paired.ts';

type J<T> = Jsonified<T>;

const ms = (s: J<Summary> | null | undefined, digits = 3) =>
  !s || s.mean === null ? '—' : s.std === null ? sig(s.mean, digits) : `${sig(s.mean, digits)} ± ${sig(s.std, 2)}`;
const pct = (s: J<Summary> | null | undefined) => (!s || s.mean === null ? '—' : `${Math.round(100 * s.mean)}%`);
const delta = (
  d: { mean: number | null; ci95: [number | null, number | null] | null; pHolm: number | null } | null | undefined,
) =>
  d
    ? `${(d.mean ?? 0) >= 0 ? '+' : ''}${sig(d.mean)} [${d.ci95 ? `${sig(d.ci95[0])}, ${sig(d.ci95[1])}` : '—'}] ${formatP(d.pHolm, 'p_Holm')}`
    : '';

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (c ?? '').padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  // One entry with its line breaks: a report wrapped to the terminal's width leaves tables whole.
  return [[line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')];
}

/** The study as text lines: its title, a table and the summary. */
export function formatStudy(study: J<StudySeries>): string[] {
  const out: string[] = [`${study.title}:`];
  switch (study.kind) {
    case 'batch-size': {
      const s = study.series;
      out.push(`(${describeRule(s.rule)})`);
      const eps = s.rows[0]?.sharpness.map((x) => x.epsilon) ?? [];
      out.push(
        ...table(
          [
            'batch',
            'epochs',
            'steps',
            'reached',
            'train loss',
            s.metric,
            'gap',
            '‖∇L‖',
            ...eps.flatMap((e) => [`ε-sharp ${e}`, '1st-order']),
            'λmax',
            'converged',
          ],
          s.rows.map((r) => [
            String(r.batchSize),
            ms(r.epochs),
            ms(r.steps),
            `${r.reached}/${r.splits}`,
            ms(r.trainLoss),
            ms(r.score, 4),
            ms(r.gap),
            ms(r.gradientNorm),
            ...r.sharpness.flatMap((x) => [ms(x.value), pct(x.firstOrderShare)]),
            ms(r.lambdaMax, 4),
            `${r.lambdaConverged}/${r.splits}`,
          ]),
        ),
      );
      if (s.interpolation) {
        const l = s.interpolation.loss.train;
        const a = s.interpolation.alphas;
        out.push(
          `Training loss on the line from ${s.interpolation.from} (α=0) to ${s.interpolation.to} (α=1), ${s.interpolation.split}: ` +
            `${sig(l[a.indexOf(0)])} → ${sig(l[a.indexOf(1)])}, highest ${sig(Math.max(...l.map((v) => v ?? Number.NaN)))} on α ∈ [${a[0]}, ${a.at(-1)}].`,
        );
      }
      break;
    }
    case 'bias-variance': {
      const s = study.series;
      const sq = s.loss === 'squared';
      const mark = (i: number, k: keyof typeof s.minima) => (s.minima[k].index === i ? '*' : '');
      out.push(
        ...table(
          [
            s.path || 'setting',
            sq ? 'bias²' : 'bias',
            'variance',
            ...(sq ? ['σ²', 'realized noise', 'cross term'] : []),
            'measured',
            '± SE',
            'closure',
          ],
          s.points.map((p, i) => [
            p.x,
            sig(p.bias2, 4) + mark(i, 'bias2'),
            sig(p.variance, 4) + mark(i, 'variance'),
            ...(sq ? [sig(p.noise, 4), sig(p.realizedNoise, 4), sig(p.crossTerm, 3)] : []),
            sig(p.measuredError, 4) + mark(i, 'measuredError'),
            sig(p.measuredErrorSE, 2),
            sig(p.closure, 2),
          ]),
        ),
        '* the smallest value of its column',
      );
      break;
    }
    case 'capacity': {
      const s = study.series;
      out.push(
        ...table(
          [s.path, 'params', `train ${s.measure}`, `validation ${s.measure}`, ''],
          s.points.map((p, i) => [
            p.x,
            String(p.parameters),
            ms(p.train),
            ms(p.val),
            [i === s.best ? '← lowest validation error' : '', p.overfitting ? 'overfitting' : '']
              .filter(Boolean)
              .join('; '),
          ]),
        ),
      );
      break;
    }
    case 'regularization': {
      const s = study.series;
      out.push(
        ...table(
          ['configuration', s.metric, 'gap', `Δ vs ${s.baseline} [95%] p_Holm`],
          s.rows.map((r) => [r.label, ms(r.value, 4), ms(r.gap), r.delta ? delta(r.delta) : '(baseline)']),
        ),
      );
      break;
    }
    case 'ensembles': {
      const s = study.series;
      out.push(
        ...table(
          [
            'configuration',
            s.metric,
            'out-of-bag',
            'Δ vs its base learner',
            'Δ vs its first member/round',
            'by members/rounds',
          ],
          s.rows.map((r) => [
            r.label,
            ms(r.value, 4),
            r.oob ? ms(r.oob, 4) : '',
            r.delta ? delta(r.delta) : '',
            r.vsFirst ? delta(r.vsFirst) : '',
            r.curve ? r.curve.map((p) => sig(p.value.mean, 3)).join(' ') : '',
          ]),
        ),
      );
      break;
    }
    case 'optimizers': {
      const s = study.series;
      const lr = (v: number | null) => (v === null ? '—' : sig(v, 2));
      out.push(
        ...table(
          [
            'rank',
            'optimizer',
            ...(s.target ? ['epochs to target', 'reached', 'steps', 'Δ epochs vs fastest [95%] p_Holm'] : []),
            'train-loss AUC',
            s.metric,
            ...(s.tuning ? ['chosen rates', `${s.metric} at each rate`] : []),
          ],
          s.rows.map((r, i) => [
            String(i + 1),
            r.label,
            ...(s.target
              ? [
                  ms(r.epochsToTarget, 2),
                  `${r.reached}/${r.splits}`,
                  ms(r.stepsToTarget, 2),
                  r.vsFastest ? delta(r.vsFastest) : '(fastest)',
                ]
              : []),
            ms(r.trainLossAuc),
            ms(r.final, 4),
            ...(s.tuning
              ? [
                  (r.chosen ?? []).map(lr).join(' '),
                  r.sensitivity.map((p) => `${lr(p.value)}:${sig(p.score.mean, 3)}`).join(' '),
                ]
              : []),
          ]),
        ),
      );
      break;
    }
  }
  out.push('', ...study.summary);
  return out;
}
