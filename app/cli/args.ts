import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A problem with the command line: reported with the usage, exit code 2, nothing run. */
export class UsageError extends Error {}

/** A spec with problems: every problem listed, exit code 2, nothing run. */
export class SpecError extends Error {
  constructor(readonly problems: string[], readonly file: string) {
    super(`${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs, with its errors turned into UsageErrors. */
export function parse(argv: string[], options: Options, allowPositionals: boolean) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message.replace(/^.*?: /, '') : String(e));
  }
}
