/**
 * The Lab ⇄ worker messages, defined once with TypeBox: each message's fields, their types
 * and their limits. The message types of shared/protocol.ts are derived from here, and
 * shared/protocol-validate.ts checks every incoming message by these schemas. The job, data
 * set, result and progress inside messages carry typed arrays and rules that need context (a
 * curve must be an eval set, rows must be in the data set); their schemas here say only their
 * place (`x-code`), and protocol-validate.ts checks them as code.
 */
import { Type, type Static, type TSchema } from 'typebox';
import type { Dataset } from './data/dataset.ts';
import type { Job, JobProgress, JobResult } from './experiment/types.ts';

/** Size limits of fields (the frame cap bounds arrays; these bound what JSON could make huge or absurd). */
export const LIMITS = {
  /** Job/lease ids, worker ids. */
  id: 200,
  /** Worker names, data set and feature names. */
  name: 200,
  /** Job keys (`config=12/repeat=3/fold=9/member=40/round=7`). */
  key: 500,
  /** Error and failure messages. */
  message: 4000,
  /** Slots one worker may declare. */
  slots: 1024,
  /** Entries of a list or record that JSON carries (running ids, eval sets, class names, history epochs). */
  list: 100_000,
  /** Epochs of a job (as the spec validator allows). */
  epochs: 100_000,
};

export const ERROR_CODES = [
  'E_AUTH', // wrong token (HMAC mismatch) or hello before challenge
  'E_VERSION', // protocol versions differ
  'E_BAD_FRAME', // not decodable, or fails the schema
  'E_TOO_BIG', // frame over MAX_FRAME_BYTES
  'E_OUT_OF_ORDER', // a message not allowed in the connection's state (e.g. result for a job not leased to it)
  'E_NO_DATA', // a job's data set is not known
  'E_JOB_FAILED', // the job threw while running
  'E_CANCELLED', // the job was cancelled
] as const;

const id = (title = 'id', description = 'the lease id (job traffic) a request and its answers share') =>
  Type.String({
    minLength: 1,
    maxLength: LIMITS.id,
    title,
    description,
    'x-type': `must have 1..${LIMITS.id} characters`,
  });
const hash = Type.String({
  pattern: '^[0-9a-f]{16,128}$',
  title: 'hash',
  description: "a data set's content hash",
  'x-type': 'malformed (16 to 128 hex digits)',
});
const int = (min: number, max: number, title: string, description: string) =>
  Type.Integer({ minimum: min, maximum: max, title, description, 'x-type': `must be an integer in ${min}..${max}` });
const code = Type.Enum(ERROR_CODES, { title: 'code', description: 'what went wrong', 'x-type': 'unknown error code' });
const message = Type.String({
  maxLength: LIMITS.message,
  title: 'message',
  description: 'what happened, for a person',
  'x-type': `must be a string of at most ${LIMITS.message} characters`,
});
/** A field whose value protocol-validate.ts checks as code (typed arrays, context). */
const byCode = <T>(title: string, description: string) =>
  Type.Unsafe<T>({ type: 'object', title, description, 'x-code': true });

const message_ = <const T extends string, P extends Record<string, TSchema>>(type: T, description: string, props: P) =>
  Type.Object(
    { type: Type.Literal(type, { title: 'type', description }), ...props },
    { additionalProperties: false, title: type, description, 'x-unknown': 'unknown field' },
  );

// ── Lab → worker ──────────────────────────────────────────────────────────────────────────

export const KernelsSchema = Type.Object(
  {
    name: Type.Enum(['wasm-simd', 'js'] as const, { title: 'kernels', description: 'the kernel set' }),
    build: Type.Optional(
      Type.String({ pattern: '^[0-9a-f]{1,64}$', title: 'build', description: 'hash of the WebAssembly module' }),
    ),
  },
  {
    title: 'kernels',
    description: 'the kernels every thread of an experiment must train with (results are bit-identical only then)',
    additionalProperties: false,
    'x-code': true,
  },
);

export const ChallengeSchema = message_('challenge', 'the Lab greets a new connection', {
  version: int(0, 1_000_000, 'version', "the Lab's protocol version"),
  nonce: Type.String({
    pattern: '^[0-9a-f]{16,256}$',
    title: 'nonce',
    description: 'what the worker proves the token with',
    'x-type': 'malformed (16 to 256 hex digits)',
  }),
  kernels: KernelsSchema,
});
export const WelcomeSchema = message_('welcome', 'the worker proved the token', {
  workerId: id('worker id', 'the id the Lab knows the worker by'),
  heartbeatMs: int(10, 3_600_000, 'heartbeat', 'how often the worker sends a heartbeat (ms)'),
});
export const JobSchema = message_('job', 'a lease: run this job; answer with progress, then result or failed', {
  id: id(),
  job: byCode<Job>('job', 'the job: rows, eval sets, seeds, the fit config'),
});
export const DataSchema = message_('data', 'a data set the worker asked for with need_data', {
  id: id(),
  hash,
  dataset: byCode<Dataset>('data set', 'features, targets and names'),
});
export const CancelSchema = message_('cancel', 'stop this job', { id: id() });
export const ErrorSchema = message_('error', 'a refusal, with a stable code', {
  code,
  message,
  id: Type.Optional(id()),
});

// ── worker → Lab ──────────────────────────────────────────────────────────────────────────

/**
 * The engine a worker trains with. A WebGPU worker names its adapter and the tolerance class
 * of its results against the CPU's (shared/gpu/tolerance.ts); the Lab never lets one run mix
 * back ends. Absent in hello: the CPU.
 */
export type BackendSpec = { name: 'cpu' } | { name: 'webgpu'; adapter: string; tolerance: string };

export const HelloSchema = message_('hello', "the worker's answer to the challenge", {
  version: int(0, 1_000_000, 'version', "the worker's protocol version"),
  name: Type.String({
    minLength: 1,
    maxLength: LIMITS.name,
    // Control characters would garble the Lab's log lines.
    pattern: '^[^\\u0000-\\u001f\\u007f]*$',
    title: 'name',
    description: 'shown in the Lab',
    'x-type': `malformed (1..${LIMITS.name} printable characters)`,
  }),
  slots: int(1, LIMITS.slots, 'slots', 'jobs it runs at once'),
  hmac: Type.String({
    pattern: '^[0-9a-f]{64}$',
    title: 'hmac',
    description: 'HMAC-SHA256(token, nonce) as hex: the token itself never crosses',
    'x-type': 'malformed (64 hex digits)',
  }),
  backend: Type.Optional(byCode<BackendSpec>('back end', 'the engine it trains with (absent: the CPU)')),
});
export const HeartbeatSchema = message_('heartbeat', 'still here, with these jobs', {
  running: Type.Array(id('running'), {
    maxItems: LIMITS.slots,
    title: 'running',
    description: 'the lease ids it holds',
    'x-type': `must be a list of at most ${LIMITS.slots} job ids`,
  }),
});
export const NeedDataSchema = message_('need_data', 'send me this data set', { id: id(), hash });
export const ProgressSchema = message_('progress', 'an epoch of a job', {
  id: id(),
  progress: byCode<JobProgress>('progress', "the job's key, epoch and that epoch's record"),
});
export const ResultSchema = message_('result', 'a job is done', {
  id: id(),
  result: byCode<JobResult>('result', 'scores, curves, outputs'),
  ms: Type.Number({ minimum: 0, title: 'ms', description: 'how long it ran', 'x-type': 'must be a number >= 0' }),
});
export const FailedSchema = message_('failed', 'a job failed', { id: id(), code, message });
export const ReleasedSchema = message_(
  'released',
  'the worker hands a job back unfinished (it is shutting down); the Lab requeues it without counting an attempt',
  { id: id() },
);
export const DrainingSchema = message_(
  'draining',
  'the worker takes no new jobs (SIGTERM); it finishes or releases the ones it holds, then closes',
  {},
);

/** Every message the Lab sends, by type. */
export const LAB_MESSAGES = {
  challenge: ChallengeSchema,
  welcome: WelcomeSchema,
  job: JobSchema,
  data: DataSchema,
  cancel: CancelSchema,
  error: ErrorSchema,
} as const;

/** Every message a worker sends, by type. */
export const WORKER_MESSAGES = {
  hello: HelloSchema,
  heartbeat: HeartbeatSchema,
  need_data: NeedDataSchema,
  progress: ProgressSchema,
  result: ResultSchema,
  failed: FailedSchema,
  released: ReleasedSchema,
  draining: DrainingSchema,
} as const;

export type ErrorCode = (typeof ERROR_CODES)[number];
export type KernelsSpec = Static<typeof KernelsSchema>;
export type ChallengeMsg = Static<typeof ChallengeSchema>;
export type WelcomeMsg = Static<typeof WelcomeSchema>;
export type JobMsg = Static<typeof JobSchema>;
export type DataMsg = Static<typeof DataSchema>;
export type CancelMsg = Static<typeof CancelSchema>;
export type ErrorMsg = Static<typeof ErrorSchema>;
export type HelloMsg = Static<typeof HelloSchema>;
export type HeartbeatMsg = Static<typeof HeartbeatSchema>;
export type NeedDataMsg = Static<typeof NeedDataSchema>;
export type ProgressMsg = Static<typeof ProgressSchema>;
export type ResultMsg = Static<typeof ResultSchema>;
export type FailedMsg = Static<typeof FailedSchema>;
export type ReleasedMsg = Static<typeof ReleasedSchema>;
export type DrainingMsg = Static<typeof DrainingSchema>;
