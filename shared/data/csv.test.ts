import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CsvError, MAX_CSV_PROBLEMS, parseCsv, parseNumber } from './csv.ts';

/** The CsvError parseCsv throws for `text` (fails the test if it parses). */
function errorOf(text: string, target?: string | number): CsvError {
  try {
    parseCsv(text, { name: 't', target });
  } catch (e) {
    assert.ok(e instanceof CsvError, String(e));
    return e;
  }
  assert.fail('expected a CsvError');
}

const HEAD = 'sepal,petal,petal_width,species\n';

test('parses features, target (last column by default) and metadata', () => {
  const ds = parseCsv(HEAD + '1,2,3,b\n4,5.5,-6e-1,a\n', { name: 'flowers' });
  assert.equal(ds.name, 'flowers');
  assert.equal(ds.task, 'classification');
  assert.equal(ds.n, 2);
  assert.equal(ds.d, 3);
  assert.deepEqual(Array.from(ds.x), [1, 2, 3, 4, 5.5, Math.fround(-0.6)]);
  assert.deepEqual(ds.featureNames, ['sepal', 'petal', 'petal_width']);
  assert.deepEqual(ds.classNames, ['a', 'b']);
  assert.deepEqual(Array.from(ds.y), [1, 0]);
});

test('class labels: strings in code-unit order, numbers in numeric order, equal numbers merged', () => {
  const s = parseCsv('f,c\n1,zebra\n2,Apple\n3,apple\n4,zebra\n', { name: 's' });
  assert.deepEqual(s.classNames, ['Apple', 'apple', 'zebra']);
  assert.deepEqual(Array.from(s.y), [2, 0, 1, 2]);
  const n = parseCsv('f,c\n1,10\n2,9\n3,-1\n4,9.0\n', { name: 'n' });
  assert.deepEqual(n.classNames, ['-1', '9', '10']);
  assert.deepEqual(Array.from(n.y), [2, 1, 0, 1]);
});

test('target by name or 0-based index; regression keeps the values', () => {
  const text = 'a,price,b\n1,10.5,2\n3,20.25,4\n5,7,6\n';
  const byName = parseCsv(text, { name: 'r', target: 'price', task: 'regression' });
  const byIndex = parseCsv(text, { name: 'r', target: 1, task: 'regression' });
  assert.deepEqual(byName, byIndex);
  assert.equal(byName.classes, 0);
  assert.deepEqual(byName.classNames, []);
  assert.deepEqual(byName.featureNames, ['a', 'b']);
  assert.deepEqual(Array.from(byName.x), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(Array.from(byName.y), [10.5, 20.25, 7]);
});

test('CRLF, a byte-order mark, spaces, blank and trailing lines, and quoted fields are tolerated', () => {
  const text = '\ufeff"width, cm", height ,"label ""x"""\r\n"1.5", 2 ,"a, b"\r\n\r\n3,4,c\r\n\r\n  \r\n';
  const ds = parseCsv(text, { name: 'q' });
  assert.deepEqual(ds.featureNames, ['width, cm', 'height']);
  assert.equal(ds.n, 2);
  assert.deepEqual(Array.from(ds.x), [1.5, 2, 3, 4]);
  assert.deepEqual(ds.classNames, ['a, b', 'c']);
});

test('not a number: line, column and column name in the message', () => {
  const e = errorOf(HEAD + '1,2,3,a\n'.repeat(5) + '1,2,abc,b\n');
  assert.equal(e.line, 7);
  assert.equal(e.column, 3);
  assert.equal(e.message, 'line 7, column 3 ("petal_width"): not a number: "abc"');
  assert.equal(errorOf(HEAD + '1,0x1F,3,a\n1,2,3,b\n').column, 2);
  assert.match(errorOf(HEAD + '1,2,Infinity,a\n1,2,3,b\n').message, /not a number: "Infinity"/);
  assert.match(
    errorOf(HEAD + '1,2,1e39,a\n1,2,3,b\n').message,
    /line 2, column 3 \("petal_width"\): number out of the float32 range/,
  );
});

test('wrong number of fields points at the first missing or extra field', () => {
  const few = errorOf(HEAD + '1,2,3\n');
  assert.equal(
    few.message,
    'line 2, column 4 ("species"): wrong number of fields: expected 4 (as in the header), got 3',
  );
  const many = errorOf(HEAD + '1,2,3,a,9\n');
  assert.deepEqual([many.line, many.column], [2, 5]);
  assert.match(many.message, /^line 2, column 5: wrong number of fields: expected 4/);
});

test('empty value, empty file, header only', () => {
  const e = errorOf(HEAD + '1,,3,a\n');
  assert.equal(e.message, 'line 2, column 2 ("petal"): empty value');
  assert.equal(errorOf(HEAD + '1,2,3,\n').message, 'line 2, column 4 ("species"): empty value');
  for (const empty of ['', '\n\n', '\ufeff', '  \r\n']) {
    const f = errorOf(empty);
    assert.deepEqual([f.line, f.column], [1, 1]);
    assert.match(f.message, /empty file/);
  }
  assert.equal(errorOf(HEAD).message, 'line 2, column 1: no data rows after the header');
});

test('header problems: missing header, duplicate and empty names, too few columns', () => {
  assert.match(errorOf('1,2,3\n4,5,6\n').message, /^line 1, column 1: no header row/);
  const dup = errorOf('a,b,a,t\n1,2,3,x\n');
  assert.deepEqual([dup.line, dup.column], [1, 3]);
  assert.equal(dup.message, 'line 1, column 3 ("a"): duplicate column name "a" (also column 1)');
  assert.match(errorOf('a,,t\n1,2,x\n').message, /^line 1, column 2 \(""\): empty column name/);
  assert.match(errorOf('only\nx\ny\n').message, /need at least 2 columns/);
});

test('target column not found, by name or by index', () => {
  const e = errorOf('a,b,c\n1,2,x\n', 'label');
  assert.deepEqual([e.line, e.column], [1, 1]);
  assert.equal(e.message, 'line 1, column 1: target column "label" not found (columns: a, b, c)');
  assert.match(errorOf('a,b,c\n1,2,x\n', 3).message, /target column index 3 is out of range \(0\.\.2, 0-based\)/);
});

test('fewer than 2 classes is an error at the target column', () => {
  const e = errorOf('a,b,c\n1,2,x\n3,4,x\n');
  assert.deepEqual([e.line, e.column], [1, 3]);
  assert.match(e.message, /fewer than 2 classes: every row has the label "x"/);
});

test('an unclosed quote is reported where it starts', () => {
  const e = errorOf('a,b\n1,"x\n2,y\n');
  assert.deepEqual([e.line, e.column], [2, 2]);
  assert.match(e.message, /quoted field is never closed/);
});

test('several problems are reported at once, in file order, up to the cap', () => {
  const e = errorOf(HEAD + '1,2,3,a\n1,x,3,a\n1,2\n,2,3,b\n');
  assert.deepEqual(
    e.problems.map((p) => [p.line, p.column]),
    [
      [3, 2],
      [4, 3],
      [5, 1],
    ],
  );
  assert.equal(e.line, 3);
  assert.match(e.message, /^3 problems in the CSV:\nline 3, column 2/);
  const many = errorOf(HEAD + 'x,x,x,a\n'.repeat(30));
  assert.equal(many.problems.length, MAX_CSV_PROBLEMS);
  assert.equal(many.truncated, true);
  assert.match(many.message, /stopped after 20 problems/);
});

test('parseNumber accepts decimal notation only', () => {
  for (const s of ['0', '-1', '+2.5', '.5', '5.', '1e-3', '-1.5E+2']) assert.equal(parseNumber(s), Number(s), s);
  for (const s of ['', ' ', 'NaN', 'Infinity', '0x10', '1,5', '1e', '--1', '1 2'])
    assert.equal(parseNumber(s), undefined, s);
});
