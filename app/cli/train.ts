import { readFileSync } from 'node:fs';
import { parse, SpecError, UsageError } from './args.ts';
import { validateTrainSpec } from '../../shared/schema/validate.ts';
import { EXPERIMENT_KEYS } from '../../shared/experiment/validate.ts';
import { lossProblems } from '../../shared/experiment/data-checks.ts';
import { isObject } from '../../shared/schema/check.ts';
import type { TrainSpec } from '../../shared/schema/types.ts';
import { loadDataset } from '../datasets.ts';
import { parseSize, trainProblems } from '../feasibility.ts';
import { Rng } from '../../shared/rng.ts';
import { splitIndices } from '../../shared/data/split.ts';
import { fit, type EpochRecord } from '../../shared/train/fit.ts';

/** Exit code of a training run that diverged (the loss became NaN or infinite): it finished, but its numbers mean nothing. */
export const EXIT_DIVERGED = 3;

/** `--memory-limit SIZE` in bytes (undefined: OPTLAB_MEMORY_LIMIT or half of this machine's memory). */
export function memoryLimitOption(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  try {
    return parseSize(v);
  } catch (e) {
    throw new UsageError(`--memory-limit: ${(e as Error).message}`);
  }
}

/** Reads and parses a JSON spec file; a syntax error names the line and column. */
export function readSpecFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read spec file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = Number((msg.match(/position (\d+)/) ?? [])[1]);
    if (Number.isFinite(pos)) {
      const before = text.slice(0, pos);
      const line = before.split('\n').length;
      const column = pos - before.lastIndexOf('\n');
      throw new SpecError([`line ${line}, column ${column}: invalid JSON (${msg})`], file);
    }
    throw new SpecError([`invalid JSON (${msg})`], file);
  }
}

/** `optlab train SPEC.json`: one model, trained as the spec says, with a line per epoch. */
export async function trainCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      json: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      'memory-limit': { type: 'string' },
    },
    true,
  );
  const memoryLimit = memoryLimitOption(values['memory-limit']);
  if (positionals.length !== 1)
    throw new UsageError(
      positionals.length ? `expected one spec file, got ${positionals.length}` : 'missing the spec file',
    );
  const file = positionals[0];
  const raw = readSpecFile(file);
  // An experiment spec given to train: say which command reads those sections instead of "unknown option".
  const experimentOnly = isObject(raw) ? EXPERIMENT_KEYS.filter((k) => raw[k] !== undefined && raw[k] !== null) : [];
  const problems = [
    ...validateTrainSpec(raw, experimentOnly).filter((p) => !experimentOnly.some((k) => p.startsWith(`${k}:`))),
    ...experimentOnly.map(
      (k) =>
        `${k}: an experiment option; optlab train trains one model (run the whole experiment with optlab run ${file})`,
    ),
  ];
  if (problems.length) throw new SpecError(problems, file);
  const spec = raw as TrainSpec;

  const rng = new Rng(spec.seed);
  const data = loadDataset(spec.dataset, rng.fork('data'), file);
  const dataProblems = lossProblems(spec, data);
  if (dataProblems.length) throw new SpecError(dataProblems, file);
  const split = splitIndices(
    data.y,
    data.n,
    {
      testFraction: spec.dataset.testFraction ?? 0,
      valFraction: spec.dataset.valFraction ?? 0.2,
      stratify: data.task === 'classification' && (spec.dataset.stratify ?? true),
    },
    rng.fork('split'),
  );
  const memoryProblems = trainProblems(
    spec,
    data,
    split.train.length,
    split.val.length + split.test.length,
    memoryLimit,
  );
  if (memoryProblems.length) throw new SpecError(memoryProblems, file);

  const log = (line: string) => {
    if (!values.quiet) (values.json ? process.stderr : process.stdout).write(line + '\n');
  };
  log(
    `${spec.name ?? file}: ${data.name} (${data.n} rows, ${data.d} features${data.classes ? `, ${data.classes} classes` : ''}), ` +
      `train ${split.train.length} / val ${split.val.length} / test ${split.test.length}`,
  );
  const t0 = performance.now();
  const evals: Record<string, Uint32Array> = { train: split.train };
  if (split.val.length) evals.val = split.val;
  if (split.test.length) evals.test = split.test;
  const result = fit({
    data,
    train: split.train,
    evals,
    config: spec,
    outputsFor: [],
    seed: spec.seed,
    onEpoch: (h) => log(epochLine(h, spec.training.epochs)),
  });
  const seconds = (performance.now() - t0) / 1000;

  if (values.json) {
    console.log(
      JSON.stringify({
        history: result.history,
        final: {
          ...result.final,
          best_epoch: result.bestEpoch,
          epochs_run: result.epochsRun,
          stopped_early: result.stoppedEarly,
          diverged: result.diverged,
          parameters: result.paramCount,
        },
      }),
    );
    return result.diverged ? EXIT_DIVERGED : 0;
  }
  log('');
  log(
    `done in ${seconds.toFixed(2)} s: ${result.epochsRun} epochs${result.stoppedEarly ? ' (stopped early)' : ''}${result.diverged ? ' (DIVERGED)' : ''}, ${result.paramCount} parameters` +
      (result.bestEpoch ? `, weights of epoch ${result.bestEpoch}` : ''),
  );
  // Not behind --quiet: a diverged run must never pass for a finished one.
  if (result.diverged)
    console.error(
      `diverged: the training loss became NaN or infinite in epoch ${result.epochsRun}; lower optimizer.lr (${spec.optimizer.lr as number})`,
    );
  for (const [set, m] of Object.entries(result.final)) {
    log(
      `  ${set.padEnd(5)} ${Object.entries(m)
        .map(([k, v]) => `${k} ${fmt(v as number)}`)
        .join('  ')}`,
    );
  }
  return result.diverged ? EXIT_DIVERGED : 0;
}

function fmt(v: number): string {
  return Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : v.toFixed(4);
}

function epochLine(h: EpochRecord, epochs: number): string {
  const parts = [`epoch ${String(h.epoch).padStart(String(epochs).length)}/${epochs}`, `lr ${h.lr.toExponential(2)}`];
  for (const [k, v] of Object.entries(h)) {
    if (k === 'epoch' || k === 'lr' || typeof v !== 'number') continue;
    parts.push(`${k} ${fmt(v)}`);
  }
  return parts.join('  ');
}
