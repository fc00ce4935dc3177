/**
 * A progress line for long runs: a bar on a terminal (redrawn in place), a line per finished
 * job when the output is a file or a pipe. Always on stderr, so stdout stays clean for --json.
 *
 * Other lines (a worker joined, a job failed) go through `log`, which clears the bar, prints
 * the line whole and draws the bar again under it: nothing is ever printed into the middle of
 * the bar. A bar wider than the terminal is shortened by whole parts (the estimate, then the
 * job key from its left), never by cutting a number: `epoch 116/300` stays whole.
 */
export class Progress {
  #total = 0;
  #done = 0;
  #started = performance.now();
  /** The bar as last drawn (empty when none is on the screen). */
  #shown = '';
  #lastDraw = 0;
  readonly #tty: boolean;

  constructor(
    readonly enabled: boolean,
    readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.#tty = Boolean(stream.isTTY);
  }

  planned(total: number, done: number): void {
    this.#total = total;
    this.#done = done;
    if (done) this.log(`resuming: ${done} of ${total} jobs already done`);
  }

  epoch(key: string, epoch: number, epochs: number): void {
    if (!this.#tty) return;
    const now = performance.now();
    if (now - this.#lastDraw < 100) return;
    this.#lastDraw = now;
    this.#draw(key, `epoch ${epoch}/${epochs}`);
  }

  jobDone(key: string, summary: string): void {
    this.#done++;
    if (this.#tty) this.#draw(key, summary);
    else if (this.enabled) this.stream.write(`[${this.#done}/${this.#total}] ${key} ${summary}\n`);
  }

  /** A whole line above the bar (shown even when the bar is off: warnings must be seen). */
  log(line: string): void {
    if (this.#tty && this.#shown) {
      this.stream.write(`\r\x1b[K${line}\n`);
      this.stream.write(this.#shown);
    } else this.stream.write(line + '\n');
  }

  /** Ends the bar's line, so what follows starts on a line of its own. */
  finish(): void {
    if (this.enabled && this.#tty && this.#shown) this.stream.write('\n');
    this.#shown = '';
  }

  #draw(key: string, detail: string): void {
    if (!this.enabled) return;
    const line = fitLine(this.#parts(), key, detail, (this.stream.columns ?? 100) - 1);
    this.stream.write(`\r${line}${this.#shown.length > line.length ? '\x1b[K' : ''}`);
    this.#shown = line;
  }

  #parts(): { head: string; eta: string } {
    const width = 24;
    const frac = this.#total ? Math.min(1, this.#done / this.#total) : 0;
    const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
    const secs = (performance.now() - this.#started) / 1000;
    const eta = frac > 0 && frac < 1 ? ` eta ${Math.round((secs / frac) * (1 - frac))}s` : '';
    return { head: `[${bar}] ${this.#done}/${this.#total} ${secs.toFixed(0)}s`, eta };
  }
}

/**
 * The bar's line in at most `cols` characters: `HEAD ETA  KEY DETAIL`, shortened by dropping
 * the estimate, then the start of the key (marked …), then the key, then the detail; a part is
 * kept whole or dropped, so no number is ever cut.
 */
export function fitLine(parts: { head: string; eta: string }, key: string, detail: string, cols: number): string {
  const full = `${parts.head}${parts.eta}  ${key} ${detail}`;
  if (full.length <= cols) return full;
  const base = `${parts.head}  `;
  const room = cols - base.length - detail.length - 1;
  if (room >= key.length) return `${base}${key} ${detail}`;
  if (room >= 8) return `${base}…${key.slice(key.length - room + 1)} ${detail}`;
  if (base.length + detail.length <= cols) return `${base}${detail}`;
  return parts.head.length <= cols ? parts.head : parts.head.slice(0, Math.max(0, cols));
}
