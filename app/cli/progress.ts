/**
 * A progress line for long runs: a bar on a terminal (redrawn in place), a line per finished
 * job when the output is a file or a pipe. Always on stderr, so stdout stays clean for --json.
 */
export class Progress {
  #total = 0;
  #done = 0;
  #started = performance.now();
  #last = '';
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
    if (done) this.#line(`resuming: ${done} of ${total} jobs already done`, true);
  }

  epoch(key: string, epoch: number, epochs: number): void {
    if (!this.#tty) return;
    const now = performance.now();
    if (now - this.#lastDraw < 100) return;
    this.#lastDraw = now;
    this.#draw(`${key} epoch ${epoch}/${epochs}`);
  }

  jobDone(key: string, summary: string): void {
    this.#done++;
    if (this.#tty) this.#draw(`${key} ${summary}`);
    else this.#line(`[${this.#done}/${this.#total}] ${key} ${summary}`, true);
  }

  finish(): void {
    if (this.enabled && this.#tty && this.#last) this.stream.write('\n');
    this.#last = '';
  }

  #draw(detail: string): void {
    const width = 24;
    const frac = this.#total ? Math.min(1, this.#done / this.#total) : 0;
    const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
    const secs = (performance.now() - this.#started) / 1000;
    const eta = frac > 0 && frac < 1 ? ` eta ${Math.round((secs / frac) * (1 - frac))}s` : '';
    this.#line(`[${bar}] ${this.#done}/${this.#total} ${secs.toFixed(0)}s${eta}  ${detail}`, false);
  }

  #line(text: string, newline: boolean): void {
    if (!this.enabled) return;
    if (this.#tty && !newline) {
      const cols = this.stream.columns ?? 100;
      this.stream.write(`\r${text.slice(0, cols - 1).padEnd(Math.min(cols - 1, this.#last.length))}`);
      this.#last = text;
    } else {
      if (this.#tty && this.#last) this.stream.write('\n');
      this.stream.write(text + '\n');
      this.#last = '';
    }
  }
}
