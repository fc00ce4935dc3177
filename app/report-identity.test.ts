// Reports stay byte-identical to those of the code before the Lab API (commit 3f2540b) for the
// same spec, except where a fix changed them on purpose: an interval clipped to its metric's
// range (marked ci95Clipped) and learning-curve epochs with training.curveEvery > 1; new fields
// (the bias–variance identity's terms, boosting's rounds played) are allowed beside unchanged numbers. The
// fixtures (app/fixtures/report-identity) are that code's `optlab run --json` output.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { metricRange } from '../shared/experiment/aggregate.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const fixtures = join(root, 'app/fixtures/report-identity');

let tmp = '';
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'optlab-identity-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Today's `optlab run --json` of a fixture spec, and the bytes recorded before. */
function run(name: string, workers = 0): { now: string; before: string } {
  const r = spawnSync(
    process.execPath,
    [
      join(root, 'bin/optlab.mjs'),
      'run',
      join(fixtures, `${name}.spec.json`),
      '--workers',
      String(workers),
      '--db',
      join(tmp, `${name}-${workers}.db`),
      '--json',
      '--quiet',
    ],
    { encoding: 'utf8', maxBuffer: 1e8 },
  );
  assert.equal(r.status, 0, r.stderr);
  return { now: r.stdout, before: readFileSync(join(fixtures, `${name}.before.json`), 'utf8') };
}

/**
 * The report as the old code wrote it, recovered from today's: each clipped interval must be
 * the old interval clipped to its metric's range; the old one is put back and the flag removed.
 */
function unclip(now: unknown, old: unknown, path: string[] = [], seen = { clipped: 0 }): unknown {
  if (Array.isArray(now)) return now.map((x, i) => unclip(x, (old as unknown[])[i], [...path, String(i)], seen));
  if (typeof now !== 'object' || now === null) return now;
  const o = now as Record<string, unknown>;
  const before = old as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (k === 'ci95Clipped') continue;
    out[k] = unclip(v, before?.[k], [...path, k], seen);
  }
  if (o.ci95Clipped === true) {
    seen.clipped++;
    // The metric's name is the nearest key that names one (a metrics entry, or an ensemble's metric).
    const name = [...path].reverse().find((p) => metricRange(p) !== undefined) ?? 'val_accuracy';
    const [lo, hi] = metricRange(name)!;
    const [a, b] = before.ci95 as [number, number];
    assert.ok(
      a < lo || b > hi,
      `${path.join('.')}: clipped, but the old interval [${a}, ${b}] was inside [${lo}, ${hi}]`,
    );
    assert.deepEqual(o.ci95, [Math.max(a, lo), Math.min(b, hi)], path.join('.'));
    out.ci95 = before.ci95;
  }
  return out;
}

/** The fields the bias–variance readout gained (issue 10: protocol, the identity's terms, the standard error). */
const NEW_BIAS_VARIANCE = ['protocol', 'measuredErrorSE', 'realizedNoise', 'crossTerm'];

/** The report without the bias–variance fields added since, which must close the identity. */
function withoutNewFields(report: string): string {
  const r = JSON.parse(report) as { configurations: Array<{ biasVariance?: Record<string, number> }> };
  for (const c of r.configurations) {
    const b = c.biasVariance;
    if (!b) continue;
    const sum = b.bias2 + b.variance + b.realizedNoise + b.crossTerm;
    assert.ok(Math.abs(sum - b.measuredError) <= 1e-12, `identity: ${sum} vs ${b.measuredError}`);
    for (const k of NEW_BIAS_VARIANCE) delete b[k];
  }
  return JSON.stringify(r) + '\n';
}

/**
 * The report without the ensemble fields added since (issue 15): boosting's rounds summary
 * (rounds played, splits stopped early; in this fixture no chain stops early, so every split
 * played every round) and bagging's members' variance (a share of member-row pairs, one per split).
 */
function withoutRounds(report: string): string {
  const r = JSON.parse(report) as {
    configurations: Array<{
      ensemble?: {
        kind: string;
        curveSummary: Array<{ value: { n: number } }>;
        rounds?: Record<string, unknown>;
        varianceSummary?: { n: number; values: number[] };
      };
    }>;
  };
  for (const c of r.configurations) {
    const e = c.ensemble;
    if (e?.kind === 'bagging') {
      const v = e.varianceSummary!;
      assert.equal(v.n, e.curveSummary[0].value.n);
      assert.ok(
        v.values.every((x) => x >= 0 && x <= 1),
        JSON.stringify(v.values),
      );
      delete e.varianceSummary;
    }
    if (e?.kind !== 'boosting') continue;
    const rounds = e.rounds as { played: { values: number[] }; perfect: number; worseThanChance: number };
    assert.deepEqual(
      [rounds.played.values, rounds.perfect, rounds.worseThanChance],
      [[e.curveSummary.length, e.curveSummary.length, e.curveSummary.length], 0, 0],
    );
    delete e.rounds;
  }
  return JSON.stringify(r) + '\n';
}

test('byte-identical reports where no fix applies (k-fold sweep, bootstrap), on 0 and 2 workers', () => {
  for (const name of ['kfold-sweep', 'bootstrap-holdout']) {
    const { now, before } = run(name);
    // New fields are allowed; every number that was there is the same, to the bit.
    assert.equal(name === 'bootstrap-holdout' ? withoutNewFields(now) : now, before, name);
    assert.ok(!now.includes('ci95Clipped'), `${name} has no clipped interval`);
  }
  assert.equal(run('kfold-sweep', 2).now, run('kfold-sweep').before);
});

test('clipped intervals are the only change (ensembles, regression): everything else is the same bytes', () => {
  for (const name of ['ensembles', 'regression-early']) {
    const run1 = run(name);
    const before = run1.before;
    const now = name === 'ensembles' ? withoutRounds(run1.now) : run1.now;
    assert.notEqual(now, before, `${name} has intervals outside their range`);
    const seen = { clipped: 0 };
    const restored = unclip(JSON.parse(now), JSON.parse(before), [], seen);
    assert.ok(seen.clipped > 0);
    assert.equal(JSON.stringify(restored) + '\n', before, name);
  }
});

test('curveEvery 5: points at epochs 5, 10, 15, 20, and nothing else changes', () => {
  const { now, before } = run('curve-every');
  const a = JSON.parse(now);
  const b = JSON.parse(before);
  assert.deepEqual(a.configurations[0].curves.epoch, [5, 10, 15, 20]);
  assert.deepEqual(b.configurations[0].curves.epoch, [1, 2, 3, 4], 'the old report numbered the points');
  a.configurations[0].curves.epoch = b.configurations[0].curves.epoch;
  assert.equal(JSON.stringify(a) + '\n', before);
});
