/**
 * The Lab API over a message channel (the WebSocket of `optlab serve`): the frames, and the
 * schema of every method's arguments, by which the server checks each call before the Lab
 * sees it. Frames are JSON text:
 *
 *   client → Lab   {"id": 7, "method": "getExperiment", "params": [3]}
 *   Lab → client   {"id": 7, "result": {…}}   or   {"id": 7, "error": {"code", "message", "problems"?}}
 *   Lab → client   {"event": {"seq": 41, "type": "status", …}}   (every event, from connection on)
 *
 * A frame that is not one of these (not JSON, no id, an unknown method) closes its
 * connection; arguments that fail their schema are answered with E_BAD_ARGS and every problem.
 */
import { Type, type TSchema } from 'typebox';
import type { LabEvent, LabMethod, LabProblem, OptLabErrorData } from './lab-api.ts';
import { checkValue } from './schema/walk.ts';
import { isObject, show } from './schema/check.ts';
import { EXPERIMENT_STATUSES } from './lab-states.ts';

/** The path of the WebSocket on the served Lab's HTTP server. */
export const API_PATH = '/api';

/** Largest frame either side accepts: a CSV or an export file travels in one. */
export const MAX_API_FRAME_BYTES = 64 * 1024 * 1024;

export interface CallFrame {
  id: number;
  method: LabMethod;
  params: unknown[];
}
export type AnswerFrame = { id: number; result: unknown } | { id: number; error: OptLabErrorData };
export interface EventFrame {
  event: LabEvent;
}

/** One argument of a method: its name (the path of its problems) and its schema. */
interface Arg {
  name: string;
  schema: TSchema;
  optional?: boolean;
}

const Id = Type.Integer({ minimum: 1, maximum: 2 ** 53 - 1, title: 'id', description: 'an experiment id' });
const Hash = Type.String({ pattern: '^[0-9a-f]{16}$', title: 'hash', description: "a data set's content hash" });
const Rows = Type.Integer({ minimum: 0, maximum: 1000, title: 'rows', description: 'rows to show' });
const Name = Type.String({ maxLength: 1000, title: 'name', description: 'a name' });
const Tags = Type.Array(Type.String({ maxLength: 200 }), { maxItems: 1000, title: 'tags', description: 'tags' });
const Notes = Type.String({ maxLength: 100_000, title: 'notes', description: 'notes' });
const Task = Type.Enum(['classification', 'regression'], { title: 'task', description: 'the task' });
const Target = Type.Union([Type.String({ maxLength: 1000 }), Type.Integer({ minimum: 0 })], {
  title: 'target',
  description: 'target column',
});

const CsvSource = Type.Object(
  {
    fileName: Type.String({ minLength: 1, maxLength: 1000 }),
    content: Type.String(),
    target: Type.Optional(Target),
    task: Type.Optional(Task),
    name: Type.Optional(Name),
  },
  { additionalProperties: false },
);
const CreateOptions = { name: Type.Optional(Name), tags: Type.Optional(Tags), notes: Type.Optional(Notes) };
const RunOptions = Type.Object(
  {
    workers: Type.Optional(Type.Integer({ minimum: 0, maximum: 256 })),
    joined: Type.Optional(Type.Boolean()),
    backend: Type.Optional(Type.Union([Type.Literal('cpu'), Type.Literal('webgpu'), Type.Literal('auto')])),
    softwareGpu: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const arg = (name: string, schema: TSchema, optional = false): Arg => ({ name, schema, optional });
const id = arg('id', Id);

/** Every method of LabApi with the schema of its arguments, in order (a method missing here fails to compile). */
export const LAB_METHODS: Readonly<Record<LabMethod, readonly Arg[]>> = {
  about: [],
  listDatasets: [],
  previewCsv: [arg('source', CsvSource), arg('rows', Rows, true)],
  importCsv: [arg('source', CsvSource)],
  previewDataset: [arg('hash', Hash), arg('rows', Rows, true)],
  deleteDataset: [arg('hash', Hash)],
  createExperiment: [
    arg('spec', Type.Unknown()),
    arg(
      'options',
      Type.Object({ ...CreateOptions, csv: Type.Optional(CsvSource) }, { additionalProperties: false }),
      true,
    ),
  ],
  createFromPreset: [
    arg('preset', Name),
    arg(
      'options',
      Type.Object({ ...CreateOptions, dataset: Type.Optional(Name) }, { additionalProperties: false }),
      true,
    ),
  ],
  validateSpec: [arg('spec', Type.Unknown())],
  previewPlan: [
    arg(
      'target',
      Type.Union([
        Type.Object({ spec: Type.Unknown() }, { additionalProperties: false }),
        Type.Object({ experimentId: Id }, { additionalProperties: false }),
      ]),
    ),
    arg('options', RunOptions, true),
  ],
  listExperiments: [
    arg(
      'options',
      Type.Object(
        {
          search: Type.Optional(Type.String({ maxLength: 1000 })),
          status: Type.Optional(Type.Enum(EXPERIMENT_STATUSES)),
          tag: Type.Optional(Type.String({ maxLength: 200 })),
          limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
          offset: Type.Optional(Type.Integer({ minimum: 0 })),
        },
        { additionalProperties: false },
      ),
      true,
    ),
  ],
  getExperiment: [id],
  updateExperiment: [arg('id', Id), arg('changes', Type.Object(CreateOptions, { additionalProperties: false }))],
  duplicateExperiment: [id],
  deleteExperiment: [id],
  exportExperiment: [id],
  importExperiment: [
    arg('file', Type.Unknown()),
    arg('options', Type.Object({ copy: Type.Optional(Type.Boolean()) }, { additionalProperties: false }), true),
  ],
  startRun: [id, arg('options', RunOptions, true)],
  resumeRun: [id, arg('options', RunOptions, true)],
  retryFailed: [id, arg('options', RunOptions, true)],
  cancelRun: [id],
  waitForRun: [id],
  getJobs: [id],
  getJob: [id, arg('key', Type.String({ minLength: 1, maxLength: 500 }))],
  getReport: [id],
  getStudy: [id],
  snapshot: [id],
  listWorkers: [],
  getLan: [],
  setLan: [
    arg('enabled', Type.Boolean()),
    arg(
      'options',
      Type.Object(
        { port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })) },
        { additionalProperties: false },
      ),
      true,
    ),
  ],
  workerCommand: [],
  listPresets: [],
  presetSpec: [arg('preset', Name), arg('dataset', Name, true)],
  specSchema: [],
};

export function isLabMethod(m: unknown): m is LabMethod {
  return typeof m === 'string' && Object.hasOwn(LAB_METHODS, m);
}

/** Every problem of a call's arguments (an absent optional argument may be undefined or null). */
export function argumentProblems(method: LabMethod, params: readonly unknown[]): LabProblem[] {
  const args = LAB_METHODS[method];
  const out: string[] = [];
  if (params.length > args.length)
    out.push(`params: ${method} takes ${args.length} argument${args.length === 1 ? '' : 's'}, got ${params.length}`);
  args.forEach((a, i) => {
    const v = params[i];
    if (v === undefined || v === null) {
      if (!a.optional) out.push(`${a.name}: required`);
      return;
    }
    checkValue(a.schema, v, a.name, out);
  });
  return out.map((line) => {
    const at = line.indexOf(': ');
    return { path: line.slice(0, at), message: line.slice(at + 2) };
  });
}

/** A frame from a client as a call, or why it is not one. */
export function parseCall(text: string): CallFrame | { problem: string } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { problem: `not JSON (${e instanceof Error ? e.message : String(e)})` };
  }
  if (!isObject(v)) return { problem: `a call must be an object, got ${show(v)}` };
  const keys = Object.keys(v);
  if (keys.some((k) => k !== 'id' && k !== 'method' && k !== 'params'))
    return { problem: `a call has only id, method and params, got ${keys.join(', ')}` };
  if (typeof v.id !== 'number' || !Number.isSafeInteger(v.id) || v.id < 0)
    return { problem: `id: must be a non-negative integer, got ${show(v.id)}` };
  if (!isLabMethod(v.method)) return { problem: `method: no Lab method ${show(v.method)}` };
  if (v.params !== undefined && !Array.isArray(v.params))
    return { problem: `params: must be a list, got ${show(v.params)}` };
  return { id: v.id, method: v.method, params: (v.params as unknown[] | undefined) ?? [] };
}
