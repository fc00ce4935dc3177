/**
 * Splits CSV text into records of fields (RFC 4180 quoting), remembering the line each
 * record starts on so that later errors can point at it. Tolerates what spreadsheets and
 * editors produce: a byte-order mark, CRLF or CR line ends, blank lines, spaces around
 * unquoted fields.
 */

export interface CsvRecord {
  /** 1-based line on which the record starts (a quoted field may continue on later lines). */
  line: number;
  /** Field texts: quotes removed, `""` unescaped, unquoted fields trimmed. */
  fields: string[];
}

/** A problem found while splitting, positioned like every CSV problem. */
export interface CsvPosition {
  /** 1-based line of the problem. */
  line: number;
  /** 1-based field number of the problem. */
  column: number;
  /** What is wrong, without the position (the caller prefixes it). */
  problem: string;
}

const QUOTE = 34; // "
const COMMA = 44; // ,
const LF = 10;
const CR = 13;

function isSpace(c: number): boolean {
  return c === 32 || c === 9;
}

/**
 * Records of `text`; lines that are empty or only spaces are skipped (as pandas does), so a
 * trailing newline or a blank line at the end never counts as a row.
 */
export function splitCsvRecords(text: string, report: (p: CsvPosition) => void): CsvRecord[] {
  const records: CsvRecord[] = [];
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;

  /** Consumes one line end at i (CRLF, LF or CR); returns whether there was one. */
  const lineEnd = (): boolean => {
    const c = text.charCodeAt(i);
    if (c === CR) {
      i += text.charCodeAt(i + 1) === LF ? 2 : 1;
    } else if (c === LF) {
      i += 1;
    } else {
      return false;
    }
    line++;
    return true;
  };

  while (i < n) {
    // Skip blank lines before a record.
    let j = i;
    while (j < n && isSpace(text.charCodeAt(j))) j++;
    if (j >= n) break;
    const cj = text.charCodeAt(j);
    if (cj === LF || cj === CR) {
      i = j;
      lineEnd();
      continue;
    }

    const record: CsvRecord = { line, fields: [] };
    for (;;) {
      const column = record.fields.length + 1;
      while (i < n && isSpace(text.charCodeAt(i))) i++;
      if (text.charCodeAt(i) === QUOTE) {
        const startLine = line;
        i++;
        let value = '';
        let closed = false;
        while (i < n) {
          const c = text.charCodeAt(i);
          if (c === QUOTE) {
            if (text.charCodeAt(i + 1) === QUOTE) {
              value += '"';
              i += 2;
            } else {
              i++;
              closed = true;
              break;
            }
          } else if (c === CR || c === LF) {
            // A line break inside quotes belongs to the field; normalize it to \n.
            lineEnd();
            value += '\n';
          } else {
            value += text[i];
            i++;
          }
        }
        if (!closed) {
          report({ line: startLine, column, problem: 'quoted field is never closed (missing ")' });
          record.fields.push(value);
          records.push(record);
          return records;
        }
        while (i < n && isSpace(text.charCodeAt(i))) i++;
        const after = text.charCodeAt(i);
        if (i < n && after !== COMMA && after !== CR && after !== LF) {
          report({
            line,
            column,
            problem: `unexpected text after the closing quote: ${JSON.stringify(text.slice(i, i + 10))}`,
          });
          while (i < n && text.charCodeAt(i) !== COMMA && text.charCodeAt(i) !== CR && text.charCodeAt(i) !== LF) i++;
        }
        record.fields.push(value);
      } else {
        const start = i;
        while (i < n) {
          const c = text.charCodeAt(i);
          if (c === COMMA || c === CR || c === LF) break;
          i++;
        }
        record.fields.push(text.slice(start, i).trim());
      }
      if (i < n && text.charCodeAt(i) === COMMA) {
        i++;
        continue;
      }
      lineEnd();
      break;
    }
    records.push(record);
  }
  return records;
}
