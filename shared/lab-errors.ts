/**
 * OptLabError: the one error every Lab API call fails with, on every side of every transport.
 * Its code is one of LAB_ERROR_CODES (documented with the type in shared/lab-api.ts); its
 * message is what the command line prints; input errors carry every problem with its path.
 */
import type { LabErrorCode, LabProblem, OptLabErrorData } from './lab-api.ts';

export const LAB_ERROR_CODES = [
  'E_BAD_SPEC',
  'E_BAD_CSV',
  'E_BAD_IMPORT',
  'E_BAD_ARGS',
  'E_NOT_FOUND',
  'E_IN_USE',
  'E_BUSY',
  'E_EXISTS',
  'E_STATE',
  'E_LIBRARY',
  'E_AUTH',
  'E_TOO_BIG',
  'E_BAD_FRAME',
  'E_DISCONNECTED',
  'E_INTERNAL',
] as const satisfies readonly LabErrorCode[];
// Fails to compile when lab-api.ts gains a code this list does not have.
const allCodes: [LabErrorCode] extends [(typeof LAB_ERROR_CODES)[number]] ? true : false = true;
void allCodes;

export class OptLabError extends Error {
  readonly code: LabErrorCode;
  readonly problems?: LabProblem[];

  constructor(code: LabErrorCode, message: string, problems?: LabProblem[]) {
    super(message);
    this.name = 'OptLabError';
    this.code = code;
    if (problems) this.problems = problems;
  }

  /** The error as data, ready to cross a transport. */
  toData(): OptLabErrorData {
    return this.problems
      ? { code: this.code, message: this.message, problems: this.problems }
      : { code: this.code, message: this.message };
  }

  /** `what: N problems:` and one indented line per problem, as the command line has always printed them. */
  static withProblems(code: LabErrorCode, what: string, problems: LabProblem[]): OptLabError {
    return new OptLabError(code, formatProblems(what, problems), problems);
  }
}

export function isLabErrorCode(v: unknown): v is LabErrorCode {
  return typeof v === 'string' && (LAB_ERROR_CODES as readonly string[]).includes(v);
}

/** `path: message` (or the message alone when the problem is about the input as a whole). */
export function problemText(p: LabProblem): string {
  return p.path ? `${p.path}: ${p.message}` : p.message;
}

/** `what: 2 problems:\n  - a: …\n  - b: …`. */
export function formatProblems(what: string, problems: readonly LabProblem[]): string {
  return `${what}: ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  - ${problemText(p)}`).join('\n')}`;
}

/**
 * A validator's `path: message` line as a problem. The path is the text before the first
 * ": "; a problem of one configuration of a sweep (`sweep (config=1: L2): l2: …`) keeps the
 * configuration in its path.
 */
export function parseProblem(line: string): LabProblem {
  let from = 0;
  if (line.startsWith('sweep (')) {
    const close = line.indexOf('): ');
    if (close > 0) from = close + 3;
  }
  const at = line.indexOf(': ', from);
  if (at < 0) return { path: '', message: line };
  return { path: line.slice(0, at), message: line.slice(at + 2) };
}

/** An error as data, whatever was thrown (a bug becomes E_INTERNAL with its message). */
export function errorData(e: unknown): OptLabErrorData {
  if (e instanceof OptLabError) return e.toData();
  return { code: 'E_INTERNAL', message: e instanceof Error ? e.message : String(e) };
}

/** The OptLabError an error datum stands for; anything malformed becomes E_INTERNAL, never a crash. */
export function fromErrorData(d: unknown): OptLabError {
  if (typeof d !== 'object' || d === null) return new OptLabError('E_INTERNAL', `malformed error: ${String(d)}`);
  const o = d as Record<string, unknown>;
  const code = isLabErrorCode(o.code) ? o.code : 'E_INTERNAL';
  const message = typeof o.message === 'string' ? o.message : 'an error without a message';
  const problems = Array.isArray(o.problems)
    ? o.problems
        .filter((p): p is Record<string, unknown> => typeof p === 'object' && p !== null)
        .map((p) => {
          const out: LabProblem = {
            path: typeof p.path === 'string' ? p.path : '',
            message: typeof p.message === 'string' ? p.message : '',
          };
          if (typeof p.line === 'number') out.line = p.line;
          if (typeof p.column === 'number') out.column = p.column;
          return out;
        })
    : undefined;
  return new OptLabError(code, message, problems);
}
