/**
 * The export file of one experiment (`optlab export`, LabApi.exportExperiment): everything
 * needed to see and resume it on another machine. Its schema, with the experiment spec's
 * inside; the checks that need the codec (base64 blobs, content hashes, a result that answers
 * its job) are code, in app/library/exchange.ts.
 */
import { Type, type Static } from 'typebox';
import { ExperimentSpecSchema } from './spec.ts';

export const EXPORT_FORMAT = 'optlab-experiment';
/** Bumped on any incompatible change; a newer file is refused with "upgrade OptLab". */
export const EXPORT_VERSION = 1;

/** An experiment's status and a job's state: the library's lists (also its SQL checks). */
export const EXPERIMENT_STATUSES = ['created', 'running', 'interrupted', 'done', 'failed', 'cancelled'] as const;
export const JOB_STATES = ['pending', 'leased', 'done', 'failed'] as const;

const time = (title: string, description: string) =>
  Type.Integer({ minimum: 0, title, description, 'x-type': 'must be a time in milliseconds' });
const timeOrNull = (title: string, description: string) =>
  Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], {
    title,
    description,
    'x-type': 'must be a time in milliseconds or null',
  });
const stringOrNull = (title: string, description: string) =>
  Type.Union([Type.String(), Type.Null()], { title, description, 'x-type': 'must be a string or null' });
const base64 = (title: string, description: string) =>
  Type.String({ contentEncoding: 'base64', title, description, 'x-code': true });

export const ExportedExperimentSchema = Type.Object(
  {
    name: Type.String({ title: 'name', description: 'what the library lists it as' }),
    status: Type.Enum(EXPERIMENT_STATUSES, {
      title: 'status',
      description: 'a running or interrupted one is imported as cancelled',
      'x-type': `must be one of ${EXPERIMENT_STATUSES.join(', ')}`,
    }),
    tags: Type.Array(Type.String(), {
      title: 'tags',
      description: 'free labels',
      'x-type': 'must be a list of strings',
    }),
    notes: Type.String({ title: 'notes', description: 'free text' }),
    error: stringOrNull('error', 'why the last run failed or stopped'),
    createdAt: time('created', 'ms since 1970'),
    updatedAt: time('updated', 'ms since 1970'),
    startedAt: timeOrNull('started', 'ms since 1970'),
    finishedAt: timeOrNull('finished', 'ms since 1970'),
    spec: { ...ExperimentSpecSchema, 'x-code': true },
  },
  { title: 'experiment', description: 'the experiment as the library holds it', 'x-type': 'must be an object' },
);

export const ExportedJobSchema = Type.Object(
  {
    key: Type.String({
      minLength: 1,
      title: 'key',
      description: 'the job key',
      'x-type': 'must be a non-empty string',
    }),
    state: Type.Enum(JOB_STATES, {
      title: 'state',
      description: 'a leased job is imported as pending',
      'x-type': `must be one of ${JOB_STATES.join(', ')}`,
    }),
    attempts: Type.Integer({
      minimum: 0,
      title: 'attempts',
      description: 'tries so far',
      'x-type': 'must be a non-negative integer',
    }),
    worker: stringOrNull('worker', 'the worker that held or ran it'),
    error: stringOrNull('error', 'its last failure'),
    startedAt: timeOrNull('started', 'ms since 1970'),
    finishedAt: timeOrNull('finished', 'ms since 1970'),
    ms: Type.Union([Type.Number({ minimum: 0 }), Type.Null()], {
      title: 'ms',
      description: 'time it ran on its worker',
      'x-type': 'must be a non-negative number or null',
    }),
    result: Type.Union([base64('result', "the codec's job result blob"), Type.Null()], {
      title: 'result',
      description: 'base64 of the codec job result; null unless the job is done',
      'x-code': true,
    }),
  },
  { title: 'job', description: 'one job and its result', 'x-type': 'must be an object' },
);

export const ExportedDatasetSchema = Type.Object(
  {
    hash: Type.String({
      pattern: '^[0-9a-f]{16}$',
      title: 'hash',
      description: 'content hash',
      'x-type': 'must be 16 hex digits',
    }),
    data: base64('data', "the codec's data set blob"),
  },
  { title: 'data set', description: 'a data set the experiment trains on', 'x-type': 'must be an object' },
);

export const ExperimentExportSchema = Type.Object(
  {
    format: Type.Literal(EXPORT_FORMAT, { title: 'format', description: 'what the file is', 'x-code': true }),
    version: Type.Integer({ minimum: 1, title: 'version', description: 'the export format version', 'x-code': true }),
    experiment: ExportedExperimentSchema,
    datasets: Type.Array(ExportedDatasetSchema, { title: 'data sets', description: 'by content hash' }),
    jobs: Type.Array(ExportedJobSchema, { title: 'jobs', description: 'in key order' }),
    report: Type.Union(
      [
        Type.Object(
          {
            configurations: Type.Array(Type.Unknown(), { title: 'configurations', description: 'per configuration' }),
            primaryMetric: Type.String({
              title: 'primary metric',
              description: 'what comparisons rank by',
              'x-type': 'must be a string',
            }),
          },
          { title: 'report', description: 'the stored report', 'x-type': 'must be an object or null' },
        ),
        Type.Null(),
      ],
      {
        title: 'report',
        description: 'the stored report, or null before the first run ends',
        'x-type': 'must be an object or null',
      },
    ),
  },
  { title: 'OptLab experiment export', description: 'one experiment with its data, jobs, results and report' },
);

/** The export file as its schema says (the Lab API refines `report` to ReportJson). */
export type ExperimentExportFile = Static<typeof ExperimentExportSchema>;
