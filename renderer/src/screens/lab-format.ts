/** Small formatting and download helpers shared by the Lab's screens. */
import type { ExperimentStatus, Measured } from '../../../shared/lab-api.ts';
import { OptLabError } from '../../../shared/lab-errors.ts';

/** A date as the library lists it: `2026-12-01 16:42`. */
export function formatDate(ms: number | null): string {
  if (ms === null) return '—';
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** A score with 4 significant digits, or — for a missing one. */
export function formatScore(v: Measured | undefined): string {
  if (v === null || v === undefined) return '—';
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5)) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}

/** What an error says, with every problem of an input on its own line. */
export function errorText(e: unknown): string {
  if (e instanceof OptLabError) return e.message;
  return e instanceof Error ? e.message : String(e);
}

const STATUS_LABEL: Partial<Record<ExperimentStatus, string>> = { created: 'not run' };

/** A status as the screens say it (`created` is "not run"; the others as they are named). */
export function statusLabel(s: ExperimentStatus): string {
  return STATUS_LABEL[s] ?? s;
}

/** Saves `text` as a file the user downloads. */
export function download(name: string, text: string, type = 'application/json'): void {
  downloadBlob(name, new Blob([text], { type }));
}

export function downloadBlob(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A file name from a title: letters, digits and dashes. */
export function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'experiment'
  );
}
