// Results are bit-identical across workers only if every thread trains with the Lab's kernels:
// a worker that cannot load them must refuse to work rather than quietly use others.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Coordinator, exited, spawnLocalWorkers } from './index.ts';

test("a worker that cannot have the Lab's kernel build refuses and exits 2", async () => {
  const lines: string[] = [];
  const c = new Coordinator({
    kernels: { name: 'wasm-simd', build: '000000000000' },
    logger: { info: () => {}, warn: () => {} },
  });
  await c.listen();
  try {
    const w = spawnLocalWorkers(1, c.url, c.token, { onLine: (_, l) => lines.push(l) });
    const timer = setTimeout(() => w.processes[0].kill('SIGKILL'), 30_000);
    const { code } = await exited(w.processes[0]);
    clearTimeout(timer);
    assert.equal(code, 2, lines.join('\n'));
    assert.ok(
      lines.some((l) => l.includes("cannot train with the Lab's kernels") && l.includes('000000000000')),
      lines.join('\n'),
    );
    assert.equal(c.workers().length, 0);
  } finally {
    await c.close();
  }
});
