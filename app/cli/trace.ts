import { parse, SpecError, UsageError } from './args.ts';
import { FUNCTIONS_2D, trace } from '../../shared/trace.ts';
import { validateOptimizerSpec } from '../../shared/optim/index.ts';
import type { OptimizerSpec } from '../../shared/schema/types.ts';

/** `optlab trace`: an optimizer's path on a 2-D test function, computed in float64. */
export async function traceCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      fn: { type: 'string' },
      start: { type: 'string' },
      steps: { type: 'string' },
      optimizer: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    true,
  );
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const problems: string[] = [];
  const known = Object.keys(FUNCTIONS_2D);
  if (values.fn === undefined) problems.push(`--fn: required (one of ${known.join(', ')})`);
  else if (!known.includes(values.fn)) problems.push(`--fn: unknown "${values.fn}" (known: ${known.join(', ')})`);
  let start: [number, number] | undefined;
  if (values.start === undefined) problems.push('--start: required, as X,Y (e.g. --start -1.5,2)');
  else {
    const parts = values.start.split(',').map((s) => s.trim());
    const xy = parts.map(Number);
    if (parts.length !== 2 || parts.some((s) => s === '') || xy.some((v) => !Number.isFinite(v)))
      problems.push(`--start: must be two numbers X,Y, got "${values.start}"`);
    else start = [xy[0], xy[1]];
  }
  let steps = 0;
  if (values.steps === undefined) problems.push('--steps: required, a whole number of optimizer steps');
  else {
    steps = Number(values.steps);
    if (!Number.isInteger(steps) || steps < 0 || steps > 1_000_000)
      problems.push(`--steps: must be a whole number in [0, 1000000], got "${values.steps}"`);
  }
  let opt: OptimizerSpec | undefined;
  if (values.optimizer === undefined)
    problems.push(`--optimizer: required, JSON with PyTorch's names, e.g. '{"name":"sgd","lr":0.001,"momentum":0.9}'`);
  else {
    let parsed: unknown;
    try {
      parsed = JSON.parse(values.optimizer);
    } catch (e) {
      problems.push(`--optimizer: not valid JSON (${(e as Error).message})`);
    }
    if (parsed !== undefined) {
      const p = validateOptimizerSpec(parsed, 'optimizer');
      problems.push(...p.map((s) => `--${s}`));
      if (p.length === 0) opt = parsed as OptimizerSpec;
    }
  }
  if (problems.length || !start || !opt || !values.fn) throw new SpecError(problems, 'arguments');

  const result = trace(values.fn, start, steps, opt);
  if (values.json) {
    console.log(JSON.stringify({ fn: values.fn, optimizer: opt, points: result.points, loss: result.loss }));
    return 0;
  }
  console.log(`${values.fn} from (${start[0]}, ${start[1]}), ${steps} steps of ${JSON.stringify(opt)}`);
  console.log('step            x                  y               loss');
  result.points.forEach(([x, y], i) => {
    console.log(`${String(i).padStart(4)}  ${fmt(x)}  ${fmt(y)}  ${fmt(result.loss[i])}`);
  });
  const last = result.points.length - 1;
  if (result.diverged !== undefined)
    console.log(`diverged: the path is not finite from step ${result.diverged} on (try a smaller lr)`);
  else console.log(`final: (${result.points[last][0]}, ${result.points[last][1]}), loss ${result.loss[last]}`);
  return 0;
}

function fmt(v: number): string {
  return (Number.isFinite(v) ? v.toExponential(10) : String(v)).padStart(17);
}
