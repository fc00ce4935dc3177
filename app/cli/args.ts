import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A problem with the command line: reported with the usage, exit code 2, nothing run. */
export class UsageError extends Error {}

/** A spec with problems: every problem listed, exit code 2, nothing run. */
export class SpecError extends Error {
  constructor(
    readonly problems: string[],
    readonly file: string,
  ) {
    super(
      `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs, with its errors turned into UsageErrors. */
export function parse<const O extends Options>(argv: string[], options: O, allowPositionals: boolean) {
  // parseArgs takes `--start -1.5,2` for a missing value; a negative number is a value here.
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].startsWith('--') ? argv[i].slice(2) : '';
    const next = argv[i + 1];
    if (options[name]?.type === 'string' && next !== undefined && /^-[\d.]/.test(next)) {
      args.push(`${argv[i]}=${next}`);
      i++;
    } else args.push(argv[i]);
  }
  try {
    return parseArgs({ args, options, allowPositionals, strict: true as const });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message.replace(/^.*?: /, '') : String(e));
  }
}
