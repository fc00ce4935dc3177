/** Issue 11's end-to-end tests 2 (the Builder) and 3 (CSV import), on a fresh served Lab. */
import { test, expect } from './lab.ts';
import { watchErrors } from './helpers.ts';

test('builder: a wrong value shows its problem beside the field and disables Save; a valid sweep shows its job count; the JSON tab round-trips', async ({
  page,
  lab,
}) => {
  const errors = watchErrors(page);
  await page.goto(lab.url);
  await page.getByRole('button', { name: 'New…' }).click();
  await expect(page).toHaveURL(/#\/builder/);
  const save = page.getByRole('button', { name: 'Save', exact: true });
  await expect(page.getByTestId('plan')).toContainText('1 configuration × 5 splits (5-fold stratified) = 5 jobs');
  await expect(save).toBeEnabled();

  // A wrong value: its problem beside it, Save disabled, no plan.
  const lr = page.getByLabel('lr', { exact: true });
  await lr.fill('-1');
  const field = page.locator('[data-path="optimizer.lr"]');
  await expect(field.getByRole('alert')).toHaveText('must be > 0, got -1');
  await expect(save).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Save & run' })).toBeDisabled();
  await expect(page.getByTestId('plan')).toContainText('1 problem');
  await lr.fill('0.01');
  await expect(field.getByRole('alert')).toHaveCount(0);
  await expect(save).toBeEnabled();

  // A grid sweep over the learning rate and the width: 3 × 2 configurations × 5 folds.
  await page.getByLabel('Grid over fields').check();
  await page.getByLabel('Values of swept field 1').fill('0.1, 0.01, 0.001');
  await page.getByRole('button', { name: 'Add a field' }).click();
  await page.getByLabel('Swept field 2', { exact: true }).fill('model.hidden');
  await page.getByLabel('Values of swept field 2').fill('[8], [32, 32]');
  await expect(page.getByTestId('plan')).toContainText(
    '6 configurations × 5 splits (5-fold stratified) = 30 jobs, about',
  );
  await expect(page.getByTestId('plan')).toContainText('on 2 workers');

  // The JSON tab shows what the form holds; a change there comes back to the form.
  await page.getByRole('tab', { name: 'JSON' }).click();
  const json = page.getByTestId('spec-json');
  const spec = JSON.parse(await json.inputValue()) as Record<string, Record<string, unknown>>;
  expect(spec.optimizer).toEqual({ name: 'adam', lr: 0.01 });
  expect(spec.sweep).toEqual({ 'optimizer.lr': [0.1, 0.01, 0.001], 'model.hidden': [[8], [32, 32]] });
  spec.optimizer = { name: 'sgd', lr: 0.05, momentum: 0.9 };
  spec.sweep = { 'training.epochs': [5, 10] };
  await json.fill(JSON.stringify(spec, null, 2));
  await expect(page.getByTestId('plan')).toContainText('2 configurations × 5 splits');
  await page.getByRole('tab', { name: 'Form' }).click();
  await expect(page.locator('[data-path="optimizer"] select').first()).toHaveValue('sgd');
  await expect(page.getByLabel('lr', { exact: true })).toHaveValue('0.05');
  await expect(page.getByLabel('momentum', { exact: true })).toHaveValue('0.9');
  await expect(page.getByLabel('Swept field 1', { exact: true })).toHaveValue('training.epochs');
  await expect(page.getByLabel('Values of swept field 1')).toHaveValue('5, 10');
  await page.getByRole('tab', { name: 'JSON' }).click();
  expect(JSON.parse(await json.inputValue())).toEqual(spec);

  // Broken JSON is said so, and Save waits for it.
  await json.fill('{"name": ');
  await expect(page.getByRole('alert').filter({ hasText: 'JSON' })).toBeVisible();
  await expect(save).toBeDisabled();
  await json.fill(JSON.stringify(spec));
  await expect(save).toBeEnabled();
  await save.click();
  await expect(page).toHaveURL(/#\/library/);
  await expect(page.getByTestId('experiment-row')).toContainText('Untitled experiment');
  errors.check();
});

const BROKEN = ['a,b,label', '1,2,x', '3,oops,y', '4', '5,6,x,9', ',7,y'].join('\n');
const GOOD = [
  'a,b,label',
  ...Array.from({ length: 24 }, (_, i) => `${(i % 5) * 0.5},${i % 3},${i % 2 ? 'yes' : 'no'}`),
].join('\n');

test('CSV import: a broken file shows each problem with its line and column; a good one becomes a data set the Builder uses', async ({
  page,
  lab,
}) => {
  const errors = watchErrors(page);
  await page.goto(lab.url);
  await page
    .getByTestId('csv-file')
    .setInputFiles({ name: 'broken.csv', mimeType: 'text/csv', buffer: Buffer.from(BROKEN) });
  const problems = page.getByTestId('csv-problems');
  await expect(problems).toBeVisible();
  await expect(problems.locator('li')).toHaveCount(4);
  await expect(problems).toContainText('line 3, column 2');
  await expect(problems).toContainText('line 4');
  await expect(problems).toContainText('line 5');
  await expect(problems).toContainText('line 6, column 1');
  await expect(page.getByRole('button', { name: 'Import broken.csv' })).toBeDisabled();
  await expect(page.getByTestId('dataset-row')).toHaveCount(0);

  await page
    .getByTestId('csv-file')
    .setInputFiles({ name: 'yesno.csv', mimeType: 'text/csv', buffer: Buffer.from(GOOD) });
  await expect(page.getByTestId('csv-check')).toContainText('24 rows, 3 columns, 2 classes');
  await expect(page.getByTestId('csv-problems')).toHaveCount(0);
  await page.getByRole('button', { name: 'Import yesno.csv' }).click();
  await expect(page.getByText('Imported yesno: 24 rows, 2 columns, 2 classes.')).toBeVisible();
  const row = page.getByTestId('dataset-row');
  await expect(row).toHaveCount(1);
  await row.getByRole('button', { name: 'Preview yesno' }).click();
  await expect(page.getByTestId('dataset-preview')).toContainText('yes');

  // The Builder offers it; a 3-fold run of it is a valid plan, saved and run to its end.
  await page.getByRole('button', { name: 'New…' }).click();
  await page.getByLabel('Train on an imported data set').selectOption({ label: 'yesno (24 rows, 2 columns)' });
  await page.getByLabel('folds', { exact: true }).fill('3');
  await expect(page.getByTestId('plan')).toContainText('1 configuration × 3 splits (3-fold stratified) = 3 jobs');
  await page.getByRole('button', { name: 'Save & run' }).click();
  await expect(page.getByRole('button', { name: 'Open report' })).toBeVisible({ timeout: 120_000 });

  // While an experiment uses it, the data set cannot be deleted, and the Library says why.
  await page.getByRole('link', { name: 'Library' }).click();
  await row.getByRole('button', { name: 'Delete yesno' }).click();
  await expect(page.getByTestId('dataset-error')).toContainText('experiment');
  await expect(row).toHaveCount(1);
  errors.check();
});
