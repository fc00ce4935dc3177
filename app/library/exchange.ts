/**
 * The export file of one experiment: everything needed to see and resume it on another
 * machine (spec, metadata, job rows, results in the binary form as base64, the report and
 * the data sets it used), and the checks an incoming file must pass before anything of it
 * is stored. An export is data from outside; every problem is listed with its field path.
 */
import { datasetHash, type Dataset } from '../../shared/data/dataset.ts';
import { validateExperimentSpec } from '../../shared/experiment/validate.ts';
import type { JobResult } from '../../shared/experiment/types.ts';
import { decodeDataset, decodeJobResult } from '../../shared/codec.ts';
import type { ExperimentExport } from '../../shared/lab-api.ts';
import {
  EXPORT_FORMAT,
  EXPORT_VERSION,
  ExperimentExportSchema,
  ExportedDatasetSchema,
  ExportedJobSchema,
} from '../../shared/schema/export.ts';
import { checkObject, checkSection } from '../../shared/schema/walk.ts';
import type { JobRow, StoredReport } from './types.ts';

export { EXPORT_FORMAT, EXPORT_VERSION };
export type { ExperimentExport };

export type ExportedExperiment = ExperimentExport['experiment'];

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

/**
 * Every problem of an export file (its schema: ExperimentExportSchema in shared/schema/export.ts,
 * plus the blobs, hashes and results checked here), or its decoded content; throws a
 * ProblemsError listing them all.
 */
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

  const datasets: ParsedExport['datasets'] = [];
  const jobs: ParsedExport['jobs'] = [];
  checkObject(ExperimentExportSchema, v, '', out, {
    skip: ['experiment', 'datasets', 'jobs'],
    code: {
      experiment: (e, p) =>
        checkSection(ExperimentExportSchema.properties.experiment, e, p, out, {
          code: {
            spec: (spec) => {
              for (const problem of validateExperimentSpec(spec))
                out.push(problem.startsWith('spec:') ? `${p}.${problem}` : `${p}.spec.${problem}`);
            },
          },
        }),
      datasets: (list) => {
        if (!Array.isArray(list)) return void out.push(`datasets: must be a list, got ${show(list)}`);
        list.forEach((d, i) => {
          const p = `datasets[${i}]`;
          const before = out.length;
          checkSection(ExportedDatasetSchema, d, p, out, {
            code: {
              data: (data) => {
                if (out.length > before) return;
                const b = bytes(data, `${p}.data`, out);
                if (!b) return;
                try {
                  const ds = decodeDataset(b);
                  const h = datasetHash(ds);
                  const claimed = (d as { hash: string }).hash;
                  if (h !== claimed)
                    return void out.push(`${p}.data: content hashes to ${h}, not ${claimed}; the file was altered`);
                  datasets.push({ hash: h, data: ds });
                } catch (e) {
                  out.push(`${p}.data: ${(e as Error).message}`);
                }
              },
            },
          });
        });
      },
      jobs: (list) => {
        if (!Array.isArray(list)) return void out.push(`jobs: must be a list, got ${show(list)}`);
        const seen = new Set<string>();
        list.forEach((j, i) => {
          const p = `jobs[${i}]`;
          const before = out.length;
          let result: JobResult | null = null;
          const job = checkSection(ExportedJobSchema, j, p, out, {
            code: {
              key: (key) => {
                if (typeof key !== 'string' || !key) return;
                if (seen.has(key)) out.push(`${p}.key: ${show(key)} appears twice`);
                else seen.add(key);
              },
              result: (r) => {
                const { state, key } = j as { state: unknown; key: unknown };
                if (state === 'done') {
                  const b = bytes(r, `${p}.result`, out);
                  if (!b) return;
                  try {
                    result = decodeJobResult(b);
                    if (result.key !== key)
                      out.push(`${p}.result: holds the result of ${show(result.key)}, not of ${show(key)}`);
                  } catch (e) {
                    out.push(`${p}.result: ${(e as Error).message}`);
                  }
                } else if (r !== null && r !== undefined)
                  out.push(`${p}.result: only a done job has a result (state is ${show(state)})`);
              },
            },
          });
          if (job && out.length === before) {
            const row = job as unknown as JobRow;
            jobs.push({
              key: row.key,
              state: row.state,
              attempts: row.attempts,
              worker: row.worker,
              startedAt: row.startedAt,
              finishedAt: row.finishedAt,
              ms: row.ms,
              error: row.error,
              result,
            });
          }
        });
      },
    },
  });

  if (out.length) throw new ProblemsError('cannot import experiment', out);
  return {
    experiment: v.experiment as ExportedExperiment,
    datasets,
    jobs,
    report: v.report as StoredReport | null,
  };
}
