/**
 * Prints one closing line that `npm test` reads and adds to its own:
 *   e2e: N passed, N failed, N skipped
 * and the reason of every skipped test (a skip must say why).
 */
import type { FullResult, Reporter, TestCase, TestResult } from '@playwright/test/reporter';

export default class CountReporter implements Reporter {
  #passed = 0;
  #failed = 0;
  #skipped = 0;
  #reasons: string[] = [];

  onTestEnd(test: TestCase, result: TestResult): void {
    // With retries a test ends several times; only its last try counts.
    if (result.retry < test.retries && result.status !== 'passed' && result.status !== 'skipped') return;
    if (result.status === 'passed') this.#passed++;
    else if (result.status === 'skipped') {
      this.#skipped++;
      const why = test.annotations.find((a) => a.type === 'skip')?.description ?? 'no reason given';
      this.#reasons.push(`${test.title}: ${why}`);
    } else this.#failed++;
  }

  onEnd(result: FullResult): void {
    for (const r of this.#reasons) console.log(`skipped: ${r}`);
    // A run that could not start (no server, no browser) has no tests but is a failure.
    if (result.status !== 'passed' && this.#failed === 0) this.#failed++;
    console.log(`e2e: ${this.#passed} passed, ${this.#failed} failed, ${this.#skipped} skipped`);
  }

  printsToStdio(): boolean {
    return false;
  }
}
