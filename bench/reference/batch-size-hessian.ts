/**
 * Builds the exact-Hessian reference of the batch-size preset's nine models (3 batch sizes ×
 * 3 folds on digits), the fixture `shared/analysis/fixtures/batch-size-hessian.json` that
 * `shared/analysis/reference.test.ts` checks OptLab's Lanczos λmax against:
 *
 *   node --import tsx bench/reference/batch-size-hessian.ts
 *
 * 1. trains the preset's models here, with the Lab's kernels (as `optlab run --preset
 *    batch-size` does), and keeps their final states;
 * 2. writes each model's network (in PyTorch's layout, see shared/nn/torch-layout.ts), its
 *    standardized training rows and labels to a temporary file;
 * 3. runs bench/reference/hessian_reference.py in Debian's python (`apt-get install
 *    python3-torch python3-scipy python3-numpy`), which computes λmax and λmin with PyTorch's
 *    float64 double-backward Hessian-vector products and ARPACK (scipy's eigsh), no OptLab code;
 * 4. writes the fixture: the states (so the test needs no training and no Python) and the
 *    reference values, with the method and the versions that made them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDataset } from '../../app/datasets.ts';
import { useFastKernels } from '../../app/kernels.ts';
import { fitStandardizer } from '../../shared/data/standardize.ts';
import { InProcessExecutor } from '../../shared/experiment/executor.ts';
import { plan } from '../../shared/experiment/plan.ts';
import { presetSpec } from '../../shared/experiment/presets.ts';
import { runPlan } from '../../shared/experiment/run.ts';
import { ActivationLayer } from '../../shared/nn/activation.ts';
import { BatchNorm1d } from '../../shared/nn/batchnorm.ts';
import { Dense } from '../../shared/nn/dense.ts';
import { Dropout } from '../../shared/nn/dropout.ts';
import { buildModel } from '../../shared/nn/model.ts';
import { torchStateDict } from '../../shared/nn/torch-layout.ts';
import { hash32, Rng } from '../../shared/rng.ts';
import { gatherInputs } from '../../shared/train/batches.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FIXTURE = join(ROOT, 'shared', 'analysis', 'fixtures', 'batch-size-hessian.json');
const PYTHON = process.env.OPTLAB_REFERENCE_PYTHON || '/usr/bin/python3';

const kernels = useFastKernels();
const spec = presetSpec('batch-size');
// Only the weights are needed here; the analysis itself is what the fixture checks.
spec.analysis = { keepWeights: true };
const p = plan(spec, (d, rng) => loadDataset(d, rng));
console.error(`training ${p.jobs.length} models (kernels: ${kernels.name})…`);
const { results } = await runPlan(p, new InProcessExecutor());

const models = p.jobs.map((job) => {
  const r = results.get(job.key)!;
  const dp = p.data[job.config];
  const data = dp.data;
  const net = buildModel(job.fitConfig.model, data.d, r.outDim, new Rng(0));
  const modules = net.layers.map((l) => {
    if (l instanceof Dense) return { type: 'linear', in: l.inDim, out: l.outDim };
    if (l instanceof BatchNorm1d) return { type: 'batchnorm', features: l.features, eps: l.eps };
    if (l instanceof Dropout) return { type: 'dropout', p: l.p };
    if (l instanceof ActivationLayer) return { type: l.kind, slope: l.negativeSlope };
    throw new Error(`no PyTorch module for layer ${l.kind}`);
  });
  const rows = job.evals.train;
  const standardizer = fitStandardizer(data.x, data.d, job.train);
  const x = { rows: rows.length, cols: data.d, data: new Float32Array(rows.length * data.d) };
  gatherInputs(data, standardizer, rows, 0, rows.length, x);
  const sd = Object.fromEntries(
    torchStateDict(job.fitConfig.model, data.d, r.outDim, r.state!).map((t) => [
      t.name,
      { shape: t.shape, values: [...t.values] },
    ]),
  );
  return {
    key: job.key,
    batchSize: job.fitConfig.training.batchSize,
    state: Buffer.from(r.state!.buffer, r.state!.byteOffset, r.state!.byteLength).toString('base64'),
    python: {
      key: job.key,
      modules,
      state_dict: sd,
      rows: rows.length,
      d: data.d,
      x: [...x.data],
      y: Array.from(rows, (i) => data.y[i]),
    },
  };
});

const dir = mkdtempSync(join(tmpdir(), 'optlab-reference-'));
try {
  const input = join(dir, 'models.json'),
    output = join(dir, 'reference.json');
  writeFileSync(input, JSON.stringify({ models: models.map((m) => m.python) }));
  console.error(`computing the reference with ${PYTHON} bench/reference/hessian_reference.py…`);
  const py = spawnSync(PYTHON, [join(ROOT, 'bench', 'reference', 'hessian_reference.py'), input, output], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (py.status !== 0) throw new Error(`hessian_reference.py failed (exit ${py.status})`);
  const ref = JSON.parse(readFileSync(output, 'utf8')) as {
    method: string;
    versions: Record<string, string>;
    models: Array<{
      key: string;
      params: number;
      loss: number;
      gradientNorm: number;
      lambdaMax: number;
      lambdaMin: number;
    }>;
  };
  const fixture = {
    about:
      'Exact extreme Hessian eigenvalues of the mean cross-entropy (eval mode, no smoothing, no penalty) of the ' +
      "batch-size preset's models on their training rows, computed outside OptLab. Made by " +
      '`node --import tsx bench/reference/batch-size-hessian.ts` (see that file).',
    method: ref.method,
    versions: ref.versions,
    preset: 'batch-size',
    specHash: hash32(JSON.stringify(presetSpec('batch-size'))),
    models: models.map((m, i) => {
      const r = ref.models[i];
      if (r.key !== m.key) throw new Error(`reference out of order: ${r.key} for ${m.key}`);
      return {
        key: m.key,
        batchSize: m.batchSize,
        params: r.params,
        loss: r.loss,
        gradientNorm: r.gradientNorm,
        lambdaMax: r.lambdaMax,
        lambdaMin: r.lambdaMin,
        state: m.state,
      };
    }),
  };
  writeFileSync(FIXTURE, JSON.stringify(fixture, null, 2) + '\n');
  spawnSync(process.execPath, [join(ROOT, 'node_modules', 'prettier', 'bin', 'prettier.cjs'), '--write', FIXTURE]);
  console.error(`wrote ${FIXTURE}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
