import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LR, PATH_OPTIMIZERS, lrOf, paramsFromQuery, paramsToQuery, pathSpec, startOf } from './config.ts';
import { FUNCTION_2D_NAMES, trace } from '../../../../shared/trace.ts';
import { validateOptimizerSpec } from '../../../../shared/optim/validate.ts';

test('every default path is a valid torch.optim spec that converges or escapes without diverging in 500 steps', () => {
  for (const fn of FUNCTION_2D_NAMES) {
    const { params } = paramsFromQuery(new URLSearchParams(`fn=${fn}`));
    for (const k of PATH_OPTIMIZERS) {
      const spec = pathSpec(params, k);
      assert.deepEqual(validateOptimizerSpec(spec), [], `${fn}/${k}`);
      assert.equal(spec.lr, DEFAULT_LR[fn][k]);
      const r = trace(fn, startOf(params), params.steps, spec);
      assert.equal(r.diverged, undefined, `${fn}/${k} diverges at its default lr`);
      assert.ok(r.loss[params.steps] < r.loss[0], `${fn}/${k} makes no progress`);
    }
  }
});

test('the specs carry PyTorch names: momentum and Nesterov for SGD, betas for the Adam family', () => {
  const { params } = paramsFromQuery(new URLSearchParams('fn=beale&mom=0.5&b1=0.8&b2=0.99&lr.adam=0.02'));
  assert.deepEqual(pathSpec(params, 'gd'), { name: 'sgd', lr: 0.01 });
  assert.deepEqual(pathSpec(params, 'momentum'), { name: 'sgd', lr: 1e-3, momentum: 0.5 });
  assert.deepEqual(pathSpec(params, 'nag'), { name: 'sgd', lr: 1e-3, momentum: 0.5, nesterov: true });
  assert.deepEqual(pathSpec(params, 'adam'), { name: 'adam', lr: 0.02, betas: [0.8, 0.99] });
  assert.deepEqual(pathSpec(params, 'nadam'), { name: 'nadam', lr: 0.05, betas: [0.8, 0.99] });
  // At μ = 0 torch would refuse nesterov=True; NAG is then plain GD.
  const still = paramsFromQuery(new URLSearchParams('mom=0')).params;
  assert.deepEqual(pathSpec(still, 'nag'), { name: 'sgd', lr: 1e-3 });
});

test('the view round-trips through the URL, with only what differs from the defaults', () => {
  const q = new URLSearchParams('fn=himmelblau&x=-1&y=2.5&steps=300&t=120&show=gd%2Cadam&mom=0.8&lr.gd=0.002');
  const { params, problems } = paramsFromQuery(q);
  assert.deepEqual(problems, []);
  assert.deepEqual(startOf(params), [-1, 2.5]);
  assert.equal(lrOf(params, 'gd'), 0.002);
  assert.equal(lrOf(params, 'adam'), DEFAULT_LR.himmelblau.adam);
  assert.equal(paramsToQuery(params).toString(), q.toString());
  assert.equal(paramsToQuery(paramsFromQuery(new URLSearchParams()).params).toString(), '');
});
