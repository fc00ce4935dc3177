/** The Builder's plan line. Pure. */
import type { PlanPreview } from '../../../../shared/lab-api.ts';

/** "10 configurations × 5 folds = 50 jobs, about 40 s on 2 workers". */
export function planLine(p: PlanPreview): string {
  const c = p.configurations.length;
  const s = Math.round(p.estimate.seconds);
  const time = s < 90 ? `${Math.max(1, s)} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`;
  const models = p.modelsPerSplit.some((m) => m > 1) ? ` (${Math.max(...p.modelsPerSplit)} models per split)` : '';
  return `${c} configuration${c === 1 ? '' : 's'} × ${p.splits} split${p.splits === 1 ? '' : 's'} (${p.evaluation}) = ${p.jobs} job${p.jobs === 1 ? '' : 's'}${models}, about ${time} on ${p.estimate.workers} worker${p.estimate.workers === 1 ? '' : 's'}`;
}
