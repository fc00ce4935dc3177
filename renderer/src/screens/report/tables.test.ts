import { test } from 'node:test';
import assert from 'node:assert/strict';
import { smallReport } from './fixture.ts';
import { bestIndex, cellText, significantVsBest, tableCsv, tableLatex, tableRows } from './tables.ts';

test('the best configuration is the highest accuracy (or lowest loss); * marks those Holm separates from it', () => {
  const r = smallReport();
  assert.equal(bestIndex(r, 'val_accuracy'), 1);
  assert.equal(bestIndex(r, 'val_loss'), 1); // means 0.6 and 0.5: lower is better
  assert.equal(significantVsBest(r, 0), true);
  assert.equal(significantVsBest(r, 1), false);
  assert.equal(cellText(r.configurations[0], 'val_accuracy'), '0.8500 ± 0.5000 [0.1000, 1.0000]');
  assert.equal(cellText(r.configurations[0], 'val_loss'), '0.6000 ± —');
  assert.deepEqual(tableRows(r), {
    header: ['configuration', 'val_accuracy', 'val_loss'],
    rows: [
      ['A & B *', '0.8500 ± 0.5000 [0.1000, 1.0000]', '0.6000 ± —'],
      ['C ▲', '0.9500 ± 0.2500 [0.5000, 1.0000]', '0.5000 ± —'],
    ],
  });
});

test('the table as CSV (numbers in full, empty where missing) and as a LaTeX tabular (escaped, marks as superscripts)', () => {
  const r = smallReport();
  assert.equal(
    tableCsv(r),
    [
      'configuration,val_accuracy_mean,val_accuracy_std,val_accuracy_ci_low,val_accuracy_ci_high,val_loss_mean,val_loss_std,val_loss_ci_low,val_loss_ci_high',
      'A & B,0.8500000000000001,0.5,0.1,1,0.6,,,',
      'C,0.95,0.25,0.5,1,0.5,,,',
      '',
    ].join('\n'),
  );
  const tex = tableLatex(r);
  assert.match(tex, /^\\begin\{tabular\}\{lrr\}/);
  assert.match(tex, /A \\& B \$\^\*\$ & 0\.8500 \$\\pm\$ 0\.5000 \[0\.1000, 1\.0000\] & 0\.6000 \$\\pm\$ — \\\\/);
  assert.match(tex, /C \$\^\\blacktriangle\$ & /);
  assert.match(tex, /configuration & val\\_accuracy & val\\_loss/);
});
