/**
 * `npm run bench -- --ui`: the window's speed, measured in Debian's headless Chromium on the
 * built renderer (issue 12 §3).
 *
 *   Playground  a 2-8-8-2 tanh network (Adam, batch 10) on 500 moons points (400 trained):
 *               epochs drawn per second while playing (one epoch per frame), the frame
 *               intervals meanwhile, and the heatmap redraw (outputs → pixels on the canvas,
 *               the renderer's "optlab:map" measure); beside it, the same fit in Node
 *               without drawing, as the ceiling.
 *   Paths       nine optimizers × 500 steps on Rosenbrock: from a slider's input event to the
 *               redrawn paths (the renderer's "optlab:paths" measure), and to the next frame.
 *
 * Goals: ≥ 60 epochs drawn per second with no frame over 16 ms; paths redrawn in < 16 ms.
 * Headless Chromium paces frames at 60 Hz without a GPU; the machine may be shared, so the
 * figures are medians of several repetitions, with the worst case beside them.
 *
 * `--ui-baseline=DIR` also serves another build of the renderer (`vite build --outDir DIR`
 * from another commit) and plays the Playground, then moves the Paths slider, in both builds
 * in turn (this, other, other, this, …), so that both meet the same load; it prints each
 * round and the ratios of the medians, this build over the other.
 */
import { chromium, type Page } from 'playwright-core';
import { buildRenderer } from '../app/web/build.ts';
import { serveWindow } from '../app/web/serve-window.ts';
import { fit } from '../shared/train/fit.ts';
import { makeDataset } from '../shared/data/make.ts';
import { splitIndices } from '../shared/data/split.ts';
import { Rng } from '../shared/rng.ts';
import { installWasmKernels } from '../shared/linalg/wasm-kernels.ts';
import type { TrainSpec } from '../shared/schema/types.ts';

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/** The Playground's benchmark network, as a URL and as the spec it stands for. */
const PLAYGROUND_QUERY = 'n=500&test=0.2&hidden=8,8&act=tanh&opt=adam&lr=0.01&bs=10&epochs=5000';

export interface UiBench {
  playground: {
    network: string;
    epochs_per_s: number;
    frames_per_s: number;
    frame_ms: { median: number; p95: number; max: number; over_16ms: number; frames: number };
    heatmap_ms: { median: number; p95: number; max: number; count: number };
    node_fit_epochs_per_s: number;
  };
  /** With --ui-baseline: the Playground in this build and in the other, played in turn. */
  comparison?: {
    rounds: number;
    current: Record<string, number>;
    baseline: Record<string, number>;
    /** This build's figure over the baseline's (epochs/s: higher is better; times: lower is). */
    ratios: Record<string, number>;
  };
  /** With --ui-baseline: the Paths slider in this build and in the other, moved in turn. */
  paths_comparison?: {
    rounds: number;
    current: Record<string, number>;
    baseline: Record<string, number>;
    /** This build's time over the baseline's (lower is better). */
    ratios: Record<string, number>;
  };
  paths: {
    optimizers: number;
    steps: number;
    redraw_ms: { median: number; p95: number; max: number; count: number };
    to_next_frame_ms: { median: number; p95: number; max: number };
  };
}

function stats(xs: number[]): { median: number; p95: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))] ?? NaN;
  const r = (v: number) => Math.round(v * 100) / 100;
  return { median: r(q(0.5)), p95: r(q(0.95)), max: r(s[s.length - 1] ?? NaN) };
}

async function epochShown(page: Page): Promise<number> {
  const text = (await page.getByTestId('epoch').textContent()) ?? '';
  return Number((text.match(/epoch\s+(\d+)/) ?? [])[1] ?? NaN);
}

async function playground(page: Page, base: string, seconds: number, withNode = true): Promise<UiBench['playground']> {
  await page.goto(`${base}#/playground?${PLAYGROUND_QUERY}`);
  // Polled from outside: the page's CSP forbids the string evaluation waitForFunction uses.
  for (const t0 = Date.now(); await page.getByTestId('play').isDisabled();) {
    if (Date.now() - t0 > 60_000) throw new Error('the Playground did not get ready');
    await page.waitForTimeout(100);
  }
  // Frame intervals and the heatmap measures, recorded in the page while it plays. (Code
  // that runs in the page is given as text: this file is type-checked without the DOM.)
  await page.evaluate(`(() => {
    performance.clearMeasures('optlab:map');
    window.__frames = [];
    window.__stop = false;
    let last = performance.now();
    const tick = (t) => {
      window.__frames.push(t - last);
      last = t;
      if (!window.__stop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })()`);
  await page.getByTestId('play').click();
  await page.waitForTimeout(1000); // warm-up
  const e0 = await epochShown(page);
  const t0 = Date.now();
  const frames0 = await page.evaluate<number>('window.__frames.length');
  await page.waitForTimeout(seconds * 1000);
  const e1 = await epochShown(page);
  const t1 = Date.now();
  const { frames, maps } = await page.evaluate<{ frames: number[]; maps: number[] }>(`(() => {
    window.__stop = true;
    return {
      frames: window.__frames.slice(${frames0}),
      maps: performance.getEntriesByName('optlab:map').map((e) => e.duration),
    };
  })()`);
  await page.getByTestId('play').click();
  const f = stats(frames);
  const m = stats(maps);
  return {
    network: '2-8-8-2 tanh, Adam lr 0.01, batch 10, 500 moons points (400 trained, 100 test)',
    epochs_per_s: Math.round(((e1 - e0) / ((t1 - t0) / 1000)) * 10) / 10,
    frames_per_s: Math.round((frames.length / ((t1 - t0) / 1000)) * 10) / 10,
    frame_ms: { ...f, over_16ms: frames.filter((x) => x > 16.7).length, frames: frames.length },
    heatmap_ms: { ...m, count: maps.length },
    node_fit_epochs_per_s: withNode ? nodeFit() : NaN,
  };
}

/** The same fit in this process (WebAssembly kernels, no drawing): epochs per second. */
function nodeFit(): number {
  const spec: TrainSpec = {
    seed: 1,
    dataset: { name: 'moons', samples: 500, noise: 0.25, testFraction: 0.2, valFraction: 0 },
    model: { kind: 'mlp', hidden: [8, 8], activation: 'tanh' },
    loss: { kind: 'cross_entropy' },
    optimizer: { name: 'adam', lr: 0.01 },
    training: { epochs: 200, batchSize: 10 },
  };
  const handle = installWasmKernels({ memoryMiB: 16 });
  try {
    const rng = new Rng(spec.seed);
    const data = makeDataset(spec.dataset, rng.fork('data'));
    const split = splitIndices(
      data.y,
      data.n,
      { testFraction: 0.2, valFraction: 0, stratify: true },
      rng.fork('split'),
    );
    const run = () =>
      fit({ data, train: split.train, evals: { train: split.train, test: split.test }, config: spec, seed: 1 });
    run();
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      run();
      times.push(performance.now() - t0);
    }
    return Math.round(spec.training.epochs / (stats(times).median / 1000));
  } finally {
    handle.uninstall();
  }
}

async function paths(page: Page, base: string, moves: number): Promise<UiBench['paths']> {
  await page.goto(`${base}#/paths?steps=500`);
  await page.getByTestId('paths-plot').waitFor();
  await page.waitForTimeout(500);
  const toFrame = await page.evaluate<number[]>(`(async () => {
    performance.clearMeasures('optlab:paths');
    const slider = document.querySelector('[data-testid="lr-gd"]');
    const out = [];
    for (let i = 0; i < ${moves}; i++) {
      // Alternate between two learning rates, as a hand dragging back and forth would.
      slider.value = i % 2 === 0 ? '-2.9' : '-3.1';
      const t0 = performance.now();
      slider.dispatchEvent(new Event('input', { bubbles: true }));
      await new Promise((r) => requestAnimationFrame(() => r()));
      out.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 30));
    }
    return out;
  })()`);
  const redraws = await page.evaluate<number[]>("performance.getEntriesByName('optlab:paths').map((e) => e.duration)");
  return {
    optimizers: 9,
    steps: 500,
    redraw_ms: { ...stats(redraws), count: redraws.length },
    to_next_frame_ms: stats(toFrame),
  };
}

type PlaygroundFigures = UiBench['playground'];

/** Both builds' median figures and their ratios, this build over the baseline, to two decimals. */
function sideBySide(rounds: number, current: Record<string, number>, baseline: Record<string, number>) {
  const ratios = Object.fromEntries(
    Object.entries(current).map(([k, x]) => [k, Math.round((x / baseline[k]) * 100) / 100]),
  );
  return { rounds, current, baseline, ratios };
}

/** This build against another, the Paths slider moved in each in turn (ABBA…); medians and ratios. */
async function pathsAgainstBaseline(
  page: Page,
  current: string,
  baseline: string,
  rounds: number,
  log: (s: string) => void,
): Promise<UiBench['paths_comparison']> {
  const runs: { current: UiBench['paths'][]; baseline: UiBench['paths'][] } = { current: [], baseline: [] };
  for (let i = 0; i < rounds; i++) {
    const order: ('current' | 'baseline')[] = i % 2 === 0 ? ['current', 'baseline'] : ['baseline', 'current'];
    for (const which of order) {
      const r = await paths(page, which === 'current' ? current : baseline, 30);
      runs[which].push(r);
      log(
        `    ${which === 'current' ? 'this build ' : 'baseline   '} input → paths redrawn median ${r.redraw_ms.median} ms, p95 ${r.redraw_ms.p95} ms; input → next frame median ${r.to_next_frame_ms.median} ms, p95 ${r.to_next_frame_ms.p95} ms`,
      );
    }
  }
  const med = (xs: number[]) => stats(xs).median;
  const figures = (rs: UiBench['paths'][]) => ({
    redraw_median_ms: med(rs.map((r) => r.redraw_ms.median)),
    redraw_p95_ms: med(rs.map((r) => r.redraw_ms.p95)),
    next_frame_median_ms: med(rs.map((r) => r.to_next_frame_ms.median)),
    next_frame_p95_ms: med(rs.map((r) => r.to_next_frame_ms.p95)),
  });
  return sideBySide(rounds, figures(runs.current), figures(runs.baseline));
}

/** This build against another, the Playground played in each in turn (ABBA…); medians and ratios. */
async function againstBaseline(
  page: Page,
  current: string,
  baseline: string,
  rounds: number,
  log: (s: string) => void,
): Promise<UiBench['comparison']> {
  const runs: { current: PlaygroundFigures[]; baseline: PlaygroundFigures[] } = { current: [], baseline: [] };
  for (let i = 0; i < rounds; i++) {
    const order: ('current' | 'baseline')[] = i % 2 === 0 ? ['current', 'baseline'] : ['baseline', 'current'];
    for (const which of order) {
      const r = await playground(page, which === 'current' ? current : baseline, 6, false);
      runs[which].push(r);
      log(
        `    ${which === 'current' ? 'this build ' : 'baseline   '} ${r.epochs_per_s} epochs/s, frame median ${r.frame_ms.median} ms, p95 ${r.frame_ms.p95} ms, ${r.frame_ms.over_16ms}/${r.frame_ms.frames} frames over 16.7 ms, heatmap median ${r.heatmap_ms.median} ms`,
      );
    }
  }
  const med = (xs: number[]) => stats(xs).median;
  const figures = (rs: PlaygroundFigures[]) => ({
    epochs_per_s: med(rs.map((r) => r.epochs_per_s)),
    frame_median_ms: med(rs.map((r) => r.frame_ms.median)),
    frame_p95_ms: med(rs.map((r) => r.frame_ms.p95)),
    over_16ms_share: med(rs.map((r) => r.frame_ms.over_16ms / Math.max(1, r.frame_ms.frames))),
    heatmap_median_ms: med(rs.map((r) => r.heatmap_ms.median)),
  });
  return sideBySide(rounds, figures(runs.current), figures(runs.baseline));
}

export async function uiBench(log: (s: string) => void, options: { baseline?: string } = {}): Promise<UiBench> {
  log('OptLab window benchmark: the built renderer in headless Chromium (/usr/bin/chromium)');
  log('  building the renderer…');
  await buildRenderer();
  const server = await serveWindow({ db: ':memory:' });
  const browser = await chromium.launch({
    executablePath: process.env.OPTLAB_CHROMIUM ?? '/usr/bin/chromium',
    args: ARGS,
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const pg = await playground(page, server.origin, 8);
    log(`  Playground, ${pg.network}:`);
    log(
      `    ${pg.epochs_per_s} epochs drawn per second (goal ≥ 60) at ${pg.frames_per_s} frames/s; the same fit in Node without drawing: ${pg.node_fit_epochs_per_s} epochs/s`,
    );
    log(
      `    frame interval median ${pg.frame_ms.median} ms, p95 ${pg.frame_ms.p95} ms, max ${pg.frame_ms.max} ms; ${pg.frame_ms.over_16ms} of ${pg.frame_ms.frames} frames over 16.7 ms (goal: none)`,
    );
    log(
      `    heatmap redraw (64×64 cells → canvas): median ${pg.heatmap_ms.median} ms, p95 ${pg.heatmap_ms.p95} ms, max ${pg.heatmap_ms.max} ms over ${pg.heatmap_ms.count} redraws`,
    );
    let comparison: UiBench['comparison'];
    let pathsComparison: UiBench['paths_comparison'];
    if (options.baseline) {
      const other = await serveWindow({ db: ':memory:', root: options.baseline });
      try {
        log(`  Playground, this build against ${options.baseline}, played in turn:`);
        comparison = await againstBaseline(page, server.origin, other.origin, 4, log);
        const r = comparison!.ratios;
        log(
          `    ratios (this / baseline, medians): epochs/s ×${r.epochs_per_s}, frame median ×${r.frame_median_ms}, frame p95 ×${r.frame_p95_ms}, share of frames over 16.7 ms ×${r.over_16ms_share}, heatmap ×${r.heatmap_median_ms}`,
        );
        log(`  Optimizer Paths, this build against ${options.baseline}, a learning-rate slider moved in turn:`);
        pathsComparison = await pathsAgainstBaseline(page, server.origin, other.origin, 4, log);
        const q = pathsComparison!.ratios;
        log(
          `    ratios (this / baseline, medians): paths redrawn median ×${q.redraw_median_ms}, p95 ×${q.redraw_p95_ms}; next frame median ×${q.next_frame_median_ms}, p95 ×${q.next_frame_p95_ms}`,
        );
      } finally {
        await other.close();
      }
    }
    const pt = await paths(page, server.origin, 60);
    log(
      `  Optimizer Paths, ${pt.optimizers} optimizers × ${pt.steps} steps (Rosenbrock), a learning-rate slider moved:`,
    );
    log(
      `    input → paths redrawn: median ${pt.redraw_ms.median} ms, p95 ${pt.redraw_ms.p95} ms, max ${pt.redraw_ms.max} ms over ${pt.redraw_ms.count} moves (goal < 16 ms)`,
    );
    log(
      `    input → next frame: median ${pt.to_next_frame_ms.median} ms, p95 ${pt.to_next_frame_ms.p95} ms, max ${pt.to_next_frame_ms.max} ms`,
    );
    return {
      playground: pg,
      ...(comparison ? { comparison } : {}),
      paths: pt,
      ...(pathsComparison ? { paths_comparison: pathsComparison } : {}),
    };
  } finally {
    await browser.close();
    await server.close();
  }
}
