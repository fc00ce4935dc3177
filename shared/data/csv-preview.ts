/**
 * What importing a CSV would give, before anything is stored: the columns as the import
 * reads them (numeric or not, which one is the target), the first rows as text, and every
 * problem the import would report, each with its line and column.
 */
import { CsvError, parseCsv, parseNumber, type CsvOptions, type CsvProblem } from './csv.ts';
import { splitCsvRecords } from './csvRecords.ts';
import type { Task } from './dataset.ts';

export interface CsvColumnPreview {
  index: number;
  name: string;
  /** `number` when every value is a number, `empty` when some are empty, else `text`. */
  kind: 'number' | 'text' | 'empty';
  target: boolean;
  distinct: number;
}

export interface CsvPreviewResult {
  rows: number;
  columns: CsvColumnPreview[];
  head: string[][];
  task: Task;
  classes: number | null;
  problems: CsvProblem[];
}

/** The preview of `text` as parseCsv would read it with `options`; `rows` first rows are kept. */
export function previewCsvText(text: string, options: CsvOptions, rows = 10): CsvPreviewResult {
  const task = options.task ?? 'classification';
  const records = splitCsvRecords(text, () => {});
  const header = records[0]?.fields ?? [];
  const data = records.slice(1);
  let target = -1;
  if (typeof options.target === 'number') target = options.target < header.length ? options.target : -1;
  else if (typeof options.target === 'string') target = header.indexOf(options.target);
  else target = header.length - 1;
  const columns: CsvColumnPreview[] = header.map((name, index) => {
    const values = data.map((r) => r.fields[index]).filter((v): v is string => v !== undefined);
    const kind = values.some((v) => v === '')
      ? 'empty'
      : values.every((v) => parseNumber(v) !== undefined)
        ? 'number'
        : 'text';
    return { index, name, kind, target: index === target, distinct: new Set(values).size };
  });
  let problems: CsvProblem[] = [];
  let classes: number | null = null;
  try {
    const ds = parseCsv(text, options);
    if (task === 'classification') classes = ds.classes;
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    problems = e.problems;
  }
  return {
    rows: data.length,
    columns,
    head: data.slice(0, Math.max(0, rows)).map((r) => r.fields),
    task,
    classes,
    problems,
  };
}
