import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StudyView } from '../../../../shared/lab-api.ts';
import { diffText, studyTable } from './study-table.ts';

const s = (mean: number | null) => ({ mean, std: null, ci95: null, n: 2, values: mean === null ? [] : [mean, mean] });
const d = (mean: number, lo: number, hi: number, pHolm: number) => ({
  mean,
  ci95: [lo, hi],
  t: 3,
  p: pHolm / 2,
  n: 10,
  pHolm,
});

test('a difference as Δ [interval], p_Holm; none as a dash', () => {
  assert.equal(diffText(d(0.0189, 0.0075, 0.0304, 0.014) as never), '+0.0189 [0.0075, 0.0304], p_Holm 0.014');
  assert.equal(diffText(d(-0.02, -0.05, 0.01, 0.0004) as never), '-0.02 [-0.05, 0.01], p_Holm < 0.001');
  assert.equal(diffText(undefined), '—');
});

test('ensembles: a row per ensemble with its base, its first member or round, its members’ mean, variance, out-of-bag and rounds', () => {
  const t = studyTable({
    kind: 'ensembles',
    summary: [],
    series: {
      metric: 'val_accuracy',
      rows: [
        { key: 'w', label: 'wide net', kind: 'single', value: s(0.932) },
        {
          key: 'b',
          label: 'bagging (wide)',
          kind: 'bagging',
          value: s(0.934),
          base: 'w',
          oob: s(0.931),
          delta: d(0.0013, -0.018, 0.021, 0.881),
          vsFirst: { ...d(0.0225, -0.0099, 0.0548, 0.301), first: s(0.911) },
          vsMembers: { ...d(0.0189, 0.0075, 0.0304, 0.014), members: s(0.915) },
          variance: s(0.0478),
          curve: [],
        },
        { key: 'k', label: 'weak net', kind: 'single', value: s(0.282) },
        {
          key: 'a',
          label: 'AdaBoost (weak)',
          kind: 'boosting',
          value: s(0.67),
          base: 'k',
          delta: d(0.387, 0.297, 0.477, 0.0001),
          vsFirst: { ...d(0.348, 0.248, 0.447, 0.0001), first: s(0.322) },
          rounds: { played: s(9.2), perfect: 0, worseThanChance: 2 },
          curve: [],
        },
      ],
      curves: [],
    },
  } as unknown as StudyView)!;
  assert.equal(t.header[1], 'val_accuracy');
  assert.deepEqual(t.rows, [
    [
      'bagging (wide)',
      '0.934',
      'wide net (0.932)',
      '+0.0013 [-0.018, 0.021], p_Holm 0.881',
      '0.911',
      '+0.0225 [-0.0099, 0.0548], p_Holm 0.301',
      '0.915',
      '+0.0189 [0.0075, 0.0304], p_Holm 0.014',
      '0.0478',
      '0.931',
      '—',
    ],
    [
      'AdaBoost (weak)',
      '0.67',
      'weak net (0.282)',
      '+0.387 [0.297, 0.477], p_Holm < 0.001',
      '0.322',
      '+0.348 [0.248, 0.447], p_Holm < 0.001',
      '—',
      '—',
      '—',
      '—',
      '9.2 (2 stopped early)',
    ],
  ]);
  // Bagging is significant by its members' mean alone; boosting by both of its tests.
  assert.deepEqual(t.significant, [true, true]);
  assert.match(t.note, /carries its final ensemble forward/);
});

test('the other studies have no study table', () => {
  assert.equal(studyTable({ kind: 'capacity', summary: [], series: {} } as unknown as StudyView), null);
});
