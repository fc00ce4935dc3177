/**
 * The export file of one experiment: everything needed to see and resume it on another
 * machine (spec, metadata, job rows, results in the binary form as base64, the report and
 * the data sets it used), and the checks an incoming file must pass before anything of it
 * is stored. An export is data from outside; every problem is listed with its field path.
 */
import { datasetHash, type Dataset } from '../../shared/data/dataset.ts';
import { validateExperimentSpec } from '../../shared/experiment/validate.ts';
import type { ExperimentSpec, JobResult } from '../../shared/experiment/types.ts';
import { decodeDataset, decodeJobResult } from '../../shared/codec.ts';
import { EXPERIMENT_STATUSES, JOB_STATES, type ExperimentStatus, type JobRow, type StoredReport } from './types.ts';

export const EXPORT_FORMAT = 'optlab-experiment';
export const EXPORT_VERSION = 1;

export interface ExportedExperiment {
  name: string;
  spec: ExperimentSpec;
  status: ExperimentStatus;
  tags: string[];
  notes: string;
  error: string | null;
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

export interface ExportedJob extends JobRow {
  /** base64 of codec.ts encodeJobResult(); null unless the job is done. */
  result: string | null;
}

export interface ExperimentExport {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  experiment: ExportedExperiment;
  /** base64 of codec.ts encodeDataset(), by content hash. */
  datasets: { hash: string; data: string }[];
  jobs: ExportedJob[];
  report: StoredReport | null;
}

/** An export that passed every check, with its blobs decoded. */
export interface ParsedExport {
  experiment: ExportedExperiment;
  datasets: { hash: string; data: Dataset }[];
  jobs: (JobRow & { result: JobResult | null })[];
  report: StoredReport | null;
}

/** A value from outside that fails checks; `problems` holds each with its field path. */
export class ProblemsError extends Error {
  constructor(
    readonly what: string,
    readonly problems: string[],
  ) {
    super(
      `${what}: ${problems.length === 1 ? '1 problem' : `${problems.length} problems`}:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'ProblemsError';
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v) ?? typeof v;
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/** Strictly checked base64 (Buffer.from alone skips bad characters and would hide a damaged file). */
function bytes(v: unknown, path: string, out: string[]): Uint8Array | undefined {
  if (typeof v !== 'string') return void out.push(`${path}: must be a base64 string, got ${show(v)}`);
  if (!BASE64.test(v)) return void out.push(`${path}: is not valid base64`);
  const b = Buffer.from(v, 'base64');
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

const str = (o: Record<string, unknown>, k: string, path: string, out: string[]) => {
  if (typeof o[k] !== 'string') out.push(`${path}.${k}: must be a string, got ${show(o[k])}`);
};
const strOrNull = (o: Record<string, unknown>, k: string, path: string, out: string[]) => {
  if (o[k] !== null && typeof o[k] !== 'string') out.push(`${path}.${k}: must be a string or null, got ${show(o[k])}`);
};
const time = (o: Record<string, unknown>, k: string, path: string, out: string[], nullable: boolean) => {
  const v = o[k];
  if (nullable && v === null) return;
  if (!(typeof v === 'number' && Number.isInteger(v) && v >= 0))
    out.push(`${path}.${k}: must be a time in milliseconds${nullable ? ' or null' : ''}, got ${show(v)}`);
};

function checkExperiment(v: unknown, out: string[]): void {
  const p = 'experiment';
  if (!isRecord(v)) return void out.push(`${p}: must be an object, got ${show(v)}`);
  str(v, 'name', p, out);
  if (!EXPERIMENT_STATUSES.includes(v.status as ExperimentStatus))
    out.push(`${p}.status: must be one of ${EXPERIMENT_STATUSES.join(', ')}, got ${show(v.status)}`);
  if (!Array.isArray(v.tags)) out.push(`${p}.tags: must be a list of strings, got ${show(v.tags)}`);
  else v.tags.forEach((t, i) => typeof t !== 'string' && out.push(`${p}.tags[${i}]: must be a string, got ${show(t)}`));
  str(v, 'notes', p, out);
  strOrNull(v, 'error', p, out);
  time(v, 'createdAt', p, out, false);
  time(v, 'updatedAt', p, out, false);
  time(v, 'startedAt', p, out, true);
  time(v, 'finishedAt', p, out, true);
  for (const problem of validateExperimentSpec(v.spec))
    out.push(problem.startsWith('spec:') ? `${p}.${problem}` : `${p}.spec.${problem}`);
}

/** Every problem of an export file, or its decoded content; throws a ProblemsError listing them all. */
export function parseExport(v: unknown): ParsedExport {
  const out: string[] = [];
  if (!isRecord(v)) throw new ProblemsError('cannot import experiment', [`must be a JSON object, got ${show(v)}`]);
  if (v.format !== EXPORT_FORMAT)
    throw new ProblemsError('cannot import experiment', [
      `format: must be "${EXPORT_FORMAT}", got ${show(v.format)}; this is not an OptLab experiment export`,
    ]);
  if (typeof v.version !== 'number' || !Number.isInteger(v.version) || v.version < 1)
    out.push(`version: must be a positive integer, got ${show(v.version)}`);
  else if (v.version > EXPORT_VERSION)
    throw new ProblemsError('cannot import experiment', [
      `version: the file is export version ${v.version}, this OptLab reads up to ${EXPORT_VERSION}; upgrade OptLab`,
    ]);

  checkExperiment(v.experiment, out);

  const datasets: ParsedExport['datasets'] = [];
  if (!Array.isArray(v.datasets)) out.push(`datasets: must be a list, got ${show(v.datasets)}`);
  else {
    v.datasets.forEach((d, i) => {
      const p = `datasets[${i}]`;
      if (!isRecord(d)) return void out.push(`${p}: must be an object, got ${show(d)}`);
      if (typeof d.hash !== 'string' || !/^[0-9a-f]{16}$/.test(d.hash))
        return void out.push(`${p}.hash: must be 16 hex digits, got ${show(d.hash)}`);
      const b = bytes(d.data, `${p}.data`, out);
      if (!b) return;
      try {
        const ds = decodeDataset(b);
        const h = datasetHash(ds);
        if (h !== d.hash)
          return void out.push(`${p}.data: content hashes to ${h}, not ${d.hash}; the file was altered`);
        datasets.push({ hash: h, data: ds });
      } catch (e) {
        out.push(`${p}.data: ${(e as Error).message}`);
      }
    });
  }

  const jobs: ParsedExport['jobs'] = [];
  if (!Array.isArray(v.jobs)) out.push(`jobs: must be a list, got ${show(v.jobs)}`);
  else {
    const seen = new Set<string>();
    v.jobs.forEach((j, i) => {
      const p = `jobs[${i}]`;
      if (!isRecord(j)) return void out.push(`${p}: must be an object, got ${show(j)}`);
      const before = out.length;
      if (typeof j.key !== 'string' || !j.key) out.push(`${p}.key: must be a non-empty string, got ${show(j.key)}`);
      else if (seen.has(j.key)) out.push(`${p}.key: ${show(j.key)} appears twice`);
      else seen.add(j.key);
      if (!JOB_STATES.includes(j.state as JobRow['state']))
        out.push(`${p}.state: must be one of ${JOB_STATES.join(', ')}, got ${show(j.state)}`);
      if (!(typeof j.attempts === 'number' && Number.isInteger(j.attempts) && j.attempts >= 0))
        out.push(`${p}.attempts: must be a non-negative integer, got ${show(j.attempts)}`);
      strOrNull(j, 'worker', p, out);
      strOrNull(j, 'error', p, out);
      time(j, 'startedAt', p, out, true);
      time(j, 'finishedAt', p, out, true);
      if (j.ms !== null && !(typeof j.ms === 'number' && Number.isFinite(j.ms) && j.ms >= 0))
        out.push(`${p}.ms: must be a non-negative number or null, got ${show(j.ms)}`);
      let result: JobResult | null = null;
      if (j.state === 'done') {
        const b = bytes(j.result, `${p}.result`, out);
        if (b) {
          try {
            result = decodeJobResult(b);
            if (result.key !== j.key)
              out.push(`${p}.result: holds the result of ${show(result.key)}, not of ${show(j.key)}`);
          } catch (e) {
            out.push(`${p}.result: ${(e as Error).message}`);
          }
        }
      } else if (j.result !== null && j.result !== undefined)
        out.push(`${p}.result: only a done job has a result (state is ${show(j.state)})`);
      if (out.length === before) {
        jobs.push({
          key: j.key as string,
          state: j.state as JobRow['state'],
          attempts: j.attempts as number,
          worker: j.worker as string | null,
          startedAt: j.startedAt as number | null,
          finishedAt: j.finishedAt as number | null,
          ms: j.ms as number | null,
          error: j.error as string | null,
          result,
        });
      }
    });
  }

  if (v.report !== null) {
    if (!isRecord(v.report)) out.push(`report: must be an object or null, got ${show(v.report)}`);
    else {
      if (!Array.isArray(v.report.configurations))
        out.push(`report.configurations: must be a list, got ${show(v.report.configurations)}`);
      if (typeof v.report.primaryMetric !== 'string')
        out.push(`report.primaryMetric: must be a string, got ${show(v.report.primaryMetric)}`);
    }
  }

  if (out.length) throw new ProblemsError('cannot import experiment', out);
  return {
    experiment: v.experiment as ExportedExperiment,
    datasets,
    jobs,
    report: v.report as StoredReport | null,
  };
}
