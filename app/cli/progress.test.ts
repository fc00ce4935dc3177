// The progress bar as a terminal shows it: what is written is played on a small screen model
// (carriage return, line feed, erase to the end of the line), and the screen is checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Progress, fitLine } from './progress.ts';

/** A terminal of `columns` that keeps what it was sent. */
function terminal(columns: number) {
  let text = '';
  const stream = {
    isTTY: true,
    columns,
    write(s: string) {
      text += s;
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  /** The screen's lines once everything sent so far has been drawn. */
  const screen = () => {
    const lines = [''];
    let row = 0;
    let col = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (c === '\r') col = 0;
      else if (c === '\n') {
        row++;
        col = 0;
        lines[row] ??= '';
      } else if (text.startsWith('\x1b[K', i)) {
        lines[row] = lines[row].slice(0, col);
        i += 2;
      } else {
        const l = lines[row].padEnd(col);
        lines[row] = l.slice(0, col) + c + l.slice(col + 1);
        col++;
      }
    }
    return lines;
  };
  return { stream, screen };
}

test('the bar never cuts a number to fit: "epoch 116/300" is whole or gone, at every width', () => {
  const key = 'config=12/repeat=3/fold=4';
  for (let columns = 20; columns <= 120; columns++) {
    const t = terminal(columns);
    const p = new Progress(true, t.stream);
    p.planned(300, 0);
    p.epoch(key, 116, 300);
    const line = t.screen()[0];
    assert.ok(line.length <= columns - 1, `${columns} columns: ${JSON.stringify(line)}`);
    assert.ok(!/116\/30(?!0)/.test(line), `${columns} columns: ${JSON.stringify(line)}`);
    if (columns >= 70) assert.match(line, /epoch 116\/300$/, `${columns} columns`);
  }
  // The parts give way in order: the estimate, then the key from its left, then the key.
  const parts = { head: '[####....] 3/10 12s', eta: ' eta 40s' };
  assert.equal(fitLine(parts, 'k=1', 'epoch 5/10', 80), '[####....] 3/10 12s eta 40s  k=1 epoch 5/10');
  assert.equal(fitLine(parts, 'config=1/fold=2', 'epoch 5/10', 40), '[####....] 3/10 12s  …/fold=2 epoch 5/10');
  assert.equal(fitLine(parts, 'config=1/fold=2', 'epoch 5/10', 33), '[####....] 3/10 12s  epoch 5/10');
  assert.equal(fitLine(parts, 'config=1/fold=2', 'epoch 5/10', 25), '[####....] 3/10 12s');
});

test('a log line is printed whole above the bar, never into it; the bar comes back under it', () => {
  const t = terminal(100);
  const p = new Progress(true, t.stream);
  p.planned(4, 0);
  p.jobDone('config=0/fold=0', '30 epochs val_accuracy 1.000');
  p.log('worker "local-1" (w3) joined from 127.0.0.1 with 1 slot');
  p.jobDone('config=0/fold=1', '30 epochs val_accuracy 0.950');
  p.log('config=0/fold=2 failed (attempt 1, will retry): boom');
  p.finish();
  const lines = t.screen();
  assert.equal(lines.length, 4, JSON.stringify(lines));
  assert.equal(lines[0], 'worker "local-1" (w3) joined from 127.0.0.1 with 1 slot');
  assert.equal(lines[1], 'config=0/fold=2 failed (attempt 1, will retry): boom');
  assert.match(lines[2], /^\[#+\.+\] 2\/4 \d+s.*config=0\/fold=1 30 epochs val_accuracy 0\.950$/);
  assert.equal(lines[3], '', 'finish ends the bar line');
});

test('resuming is said on a line of its own; with the bar off (--quiet) log lines are still printed', () => {
  const t = terminal(80);
  const p = new Progress(true, t.stream);
  p.planned(6, 2);
  assert.deepEqual(t.screen(), ['resuming: 2 of 6 jobs already done', '']);
  const q = terminal(80);
  const quiet = new Progress(false, q.stream);
  quiet.jobDone('k', 'x');
  quiet.log('a warning');
  assert.deepEqual(q.screen(), ['a warning', '']);
});
