/**
 * The table of `npm run bench -- --gpu` (see gpu.ts for what is measured):
 *
 *   npm run bench -- --gpu                  CPU and WebGPU samples/s per cell, the adapter, the goals
 *   npm run bench -- --gpu --json           the same as one JSON line
 *   npm run bench -- --gpu --software-gpu   let SwiftShader stand in, to check the bench runs
 *   npm run bench -- --gpu --no-torch       skip PyTorch on CUDA
 */
import { benchEngine, cellName, cpuRate, gpuRate, GPU_CELLS, torchCuda } from './gpu.ts';

interface Row {
  model: string;
  batch: number;
  cpu_samples_per_s: number;
  gpu_samples_per_s: number | null;
  gpu_vs_cpu: number | null;
  goal: number | null;
  torch_cuda_samples_per_s: number | null;
}

const fmt = (n: number): string =>
  n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : n.toFixed(0);

export async function gpuBench(args: Set<string>, log: (line: string) => void): Promise<void> {
  const t0 = performance.now();
  const got = await benchEngine(args.has('--software-gpu'));
  const engine = typeof got === 'string' ? null : got.engine;
  const software = typeof got !== 'string' && got.software;
  const adapter = engine ? engine.info.adapter! : null;
  log(engine ? `WebGPU adapter: ${adapter}${software ? ' (software)' : ''}` : `no GPU: ${got as string}`);
  const rows: Row[] = [];
  for (const c of GPU_CELLS) {
    // The large cell takes seconds per step on one CPU core: fewer, longer repetitions.
    const big = c.batch * c.hidden.reduce((a, b) => a + b, 0) > 1e6;
    const cpu = await cpuRate(c, big ? 3 : 0.6, 3);
    // A software adapter would take minutes per step of the large cell, and proves nothing there.
    const gpu = engine && !(software && big) ? await gpuRate(engine, c, big ? 3 : 0.6, 3) : null;
    log(
      `  ${cellName(c)} batch ${c.batch}: CPU ${fmt(cpu)} samples/s, WebGPU ${gpu === null ? 'not measured' : `${fmt(gpu)} samples/s`}`,
    );
    rows.push({
      model: cellName(c),
      batch: c.batch,
      cpu_samples_per_s: Math.round(cpu),
      gpu_samples_per_s: gpu === null ? null : Math.round(gpu),
      gpu_vs_cpu: gpu === null ? null : +(gpu / cpu).toFixed(2),
      goal: c.goal ?? null,
      torch_cuda_samples_per_s: null,
    });
  }
  let torchNote = 'skipped (--no-torch)';
  if (!args.has('--no-torch')) {
    const t = torchCuda(GPU_CELLS, 1, 3);
    if (typeof t === 'string') torchNote = t;
    else {
      torchNote = 'PyTorch on CUDA, same cells, timed inside Python';
      for (const r of rows) r.torch_cuda_samples_per_s = Math.round(t.get(`${r.model}/${r.batch}`) ?? NaN);
    }
  }
  const note = !engine
    ? `No GPU was available (${got as string}): only the CPU column is measured. SwiftShader, a software adapter, proves the kernels right (npm test -- webgpu) and is never timed as a GPU.`
    : software
      ? 'SwiftShader is a software adapter: its column only shows that the bench runs; it is not a GPU speed.'
      : `Measured on ${adapter}.`;
  if (args.has('--json')) {
    process.stdout.write(JSON.stringify({ adapter, software, cells: rows, torch_cuda: torchNote, note }) + '\n');
    return;
  }
  const gpuHead = software ? 'SwiftShader*' : 'WebGPU';
  const table: string[][] = [
    ['model', 'batch', 'CPU', gpuHead, `${gpuHead}/CPU`, 'goal', 'met', 'torch CUDA', `${gpuHead}/torch`],
  ];
  for (const r of rows) {
    const g = r.gpu_samples_per_s;
    const t = r.torch_cuda_samples_per_s;
    table.push([
      r.model,
      String(r.batch),
      fmt(r.cpu_samples_per_s),
      g === null ? '-' : fmt(g),
      r.gpu_vs_cpu === null ? '-' : `${r.gpu_vs_cpu.toFixed(2)}×`,
      r.goal === null ? '-' : `${r.goal}×`,
      r.goal === null || r.gpu_vs_cpu === null || software ? '-' : r.gpu_vs_cpu >= r.goal ? 'yes' : 'no',
      t === null || Number.isNaN(t) ? '-' : fmt(t),
      t === null || g === null || Number.isNaN(t) ? '-' : `${(g / t).toFixed(2)}×`,
    ]);
  }
  const widths = table[0].map((_, k) => Math.max(...table.map((r) => r[k].length)));
  console.log('');
  for (const r of table) console.log(r.map((v, k) => (k < 2 ? v.padEnd(widths[k]) : v.padStart(widths[k]))).join('  '));
  console.log('');
  console.log('Samples/s of the training step (forward, softmax cross-entropy, backward, Adam), random data.');
  console.log('CPU: the CPU engine, WebAssembly SIMD kernels, one thread. WebGPU: the GPU engine, data on the device.');
  console.log(`${software ? '* ' : ''}${note}`);
  console.log(`torch CUDA: ${torchNote}.`);
  console.log(`Medians of 3 repetitions, wall clock. ${((performance.now() - t0) / 1000).toFixed(0)} s in all.`);
}
