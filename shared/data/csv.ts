/**
 * CSV import: a header row, numeric feature columns and one target column, turned into a
 * Dataset. A user's file is usually wrong in several places at once, so every problem is
 * collected (up to MAX_CSV_PROBLEMS) and reported together, each with its line and column.
 */
import type { Dataset, Task } from './dataset.ts';
import { splitCsvRecords, type CsvRecord } from './csvRecords.ts';

export interface CsvOptions {
  /** Name of the resulting data set. */
  name: string;
  /** Target column: header name, or 0-based index (default: the last column). */
  target?: string | number;
  /** Whether the target holds class labels or real values (default classification). */
  task?: Task;
}

/** One problem in a CSV file. */
export interface CsvProblem {
  /** 1-based line in the file. */
  line: number;
  /** 1-based column (field number). */
  column: number;
  /** The full message, position included: `line 7, column 3 ("petal_width"): not a number: "abc"`. */
  message: string;
}

/** Stop collecting after this many problems: beyond it the file is usually wrong wholesale. */
export const MAX_CSV_PROBLEMS = 20;

/**
 * Thrown by parseCsv. `line` and `column` are those of the first problem; `problems` holds
 * all that were found, and the message lists them all.
 */
export class CsvError extends Error {
  /** 1-based line of the first problem. */
  readonly line: number;
  /** 1-based column of the first problem. */
  readonly column: number;
  /** Every problem found, in file order (at most MAX_CSV_PROBLEMS). */
  readonly problems: CsvProblem[];
  /** Whether more problems may exist than were collected. */
  readonly truncated: boolean;

  constructor(problems: CsvProblem[], truncated: boolean) {
    const head =
      problems.length > 1 || truncated ? `${problems.length}${truncated ? '+' : ''} problems in the CSV:\n` : '';
    super(
      head +
        problems.map((p) => p.message).join('\n') +
        (truncated ? `\n(stopped after ${MAX_CSV_PROBLEMS} problems)` : ''),
    );
    this.name = 'CsvError';
    this.line = problems[0].line;
    this.column = problems[0].column;
    this.problems = problems;
    this.truncated = truncated;
  }
}

/** Strict decimal number syntax: rejects what Number() would quietly accept (`""`, `0x1F`, `Infinity`). */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function parseNumber(text: string): number | undefined {
  return NUMBER.test(text) ? Number(text) : undefined;
}

class Collector {
  readonly problems: CsvProblem[] = [];
  truncated = false;
  header: string[] = [];

  get full(): boolean {
    return this.problems.length >= MAX_CSV_PROBLEMS;
  }

  /** Records a problem; `named` adds the column's header name (off where the column number is only a placeholder). */
  add(line: number, column: number, problem: string, named = true): void {
    if (this.full) {
      this.truncated = true;
      return;
    }
    const name =
      named && column >= 1 && column <= this.header.length ? ` (${JSON.stringify(this.header[column - 1])})` : '';
    this.problems.push({ line, column, message: `line ${line}, column ${column}${name}: ${problem}` });
  }

  throwIfAny(): void {
    if (this.problems.length) throw new CsvError(this.problems, this.truncated);
  }
}

function resolveTarget(
  header: string[],
  target: string | number | undefined,
  headerLine: number,
  out: Collector,
): number {
  if (target === undefined) return header.length - 1;
  if (typeof target === 'number') {
    if (Number.isInteger(target) && target >= 0 && target < header.length) return target;
    out.add(headerLine, 1, `target column index ${target} is out of range (0..${header.length - 1}, 0-based)`, false);
    return -1;
  }
  const k = header.indexOf(target);
  if (k < 0)
    out.add(headerLine, 1, `target column ${JSON.stringify(target)} not found (columns: ${header.join(', ')})`, false);
  return k;
}

function checkHeader(rec: CsvRecord, out: Collector): void {
  const seen = new Map<string, number>();
  rec.fields.forEach((h, j) => {
    if (h === '') out.add(rec.line, j + 1, 'empty column name');
    const first = seen.get(h);
    if (first !== undefined && h !== '')
      out.add(rec.line, j + 1, `duplicate column name ${JSON.stringify(h)} (also column ${first + 1})`);
    else seen.set(h, j);
  });
  if (rec.fields.every((h) => parseNumber(h) !== undefined)) {
    out.add(rec.line, 1, 'no header row: the first line holds only numbers; add a line of column names', false);
  }
  if (rec.fields.length < 2)
    out.add(rec.line, 1, `need at least 2 columns (features and a target), got ${rec.fields.length}`, false);
}

/** Class ids in sorted label order: numeric order when every label is a number, else code-unit order (locale-free, so the same on every machine). */
function mapClasses(labels: string[]): { ids: Map<string, number>; names: string[] } {
  const numeric = labels.every((l) => parseNumber(l) !== undefined);
  const key = (l: string): string => (numeric ? String(Number(l)) : l);
  const unique = [...new Set(labels.map(key))];
  if (numeric) unique.sort((a, b) => Number(a) - Number(b));
  else unique.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const byKey = new Map(unique.map((k, i) => [k, i]));
  const ids = new Map<string, number>();
  for (const l of new Set(labels)) ids.set(l, byKey.get(key(l))!);
  return { ids, names: unique };
}

/** Parses CSV text into a Dataset, or throws a CsvError listing every problem found. */
export function parseCsv(text: string, options: CsvOptions): Dataset {
  const task = options.task ?? 'classification';
  const out = new Collector();
  const records = splitCsvRecords(text, (p) => out.add(p.line, p.column, p.problem));
  if (records.length === 0) {
    if (out.problems.length === 0) out.add(1, 1, 'empty file (no header and no rows)');
    out.throwIfAny();
  }
  const head = records[0];
  out.header = head.fields;
  checkHeader(head, out);
  const cols = head.fields.length;
  const t = resolveTarget(head.fields, options.target, head.line, out);
  const rows = records.slice(1);
  if (rows.length === 0) out.add(head.line + 1, 1, 'no data rows after the header', false);
  out.throwIfAny();

  const d = cols - 1;
  const n = rows.length;
  const x = new Float32Array(n * d);
  const y = new Float32Array(n);
  const labels: string[] = [];
  for (let i = 0; i < n && !out.full; i++) {
    const { line, fields } = rows[i];
    if (fields.length !== cols) {
      const column = Math.min(fields.length, cols) + 1;
      out.add(line, column, `wrong number of fields: expected ${cols} (as in the header), got ${fields.length}`);
      continue;
    }
    let f = 0;
    for (let j = 0; j < cols; j++) {
      const s = fields[j];
      const isTarget = j === t;
      if (s === '') {
        out.add(line, j + 1, 'empty value');
      } else if (isTarget && task === 'classification') {
        labels[i] = s;
      } else {
        const v = parseNumber(s);
        if (v === undefined) out.add(line, j + 1, `not a number: ${JSON.stringify(s)}`);
        else if (!Number.isFinite(Math.fround(v))) out.add(line, j + 1, `number out of the float32 range: ${s}`);
        else if (isTarget) y[i] = v;
        else x[i * d + f] = v;
      }
      if (!isTarget) f++;
    }
  }
  out.throwIfAny();

  let classes = 0;
  let classNames: string[] = [];
  if (task === 'classification') {
    const { ids, names } = mapClasses(labels);
    if (names.length < 2) {
      out.add(head.line, t + 1, `fewer than 2 classes: every row has the label ${JSON.stringify(labels[0])}`);
      out.throwIfAny();
    }
    for (let i = 0; i < n; i++) y[i] = ids.get(labels[i])!;
    classes = names.length;
    classNames = names;
  }
  const featureNames = head.fields.filter((_, j) => j !== t);
  return { name: options.name, task, n, d, x, y, classes, classNames, featureNames };
}
