/**
 * The Optimizer Paths screen's state: the view (kept in the address), the paths of the
 * chosen optimizers (recomputed whenever a setting changes, with the `optlab trace` code in
 * float64), and the scrubbed step with play and step.
 */
import { getFunction2D, trace, type Function2D, type Point2 } from '../../../../shared/trace.ts';
import {
  PATH_OPTIMIZERS,
  lrKey,
  paramsFromQuery,
  paramsToQuery,
  pathSpec,
  startOf,
  type PathOptimizer,
  type PathsParams,
} from './config.ts';

/** One optimizer's path. */
export interface PathTrace {
  key: PathOptimizer;
  /** θ_0 … θ_N. */
  points: Point2[];
  /** f(θ_0) … f(θ_N). */
  loss: number[];
  /** First step at which the path left the finite numbers, if it did. */
  diverged?: number;
}

const DEFAULT_PARAMS: PathsParams = paramsFromQuery(new URLSearchParams()).params;

export class PathsState {
  #params = $state.raw<PathsParams>(DEFAULT_PARAMS);
  #t = $state(0);
  #playing = $state(false);
  #frame = 0;
  /** Problems with the link the screen was opened with. */
  readonly linkProblems: readonly string[];

  readonly fn: Function2D = $derived(getFunction2D(this.#params.fn));
  readonly start: Point2 = $derived(startOf(this.#params));
  /**
   * The last path of each optimizer with what decided it: a slider moves one optimizer's
   * learning rate (or the β's of three), and only those paths are computed again. Bookkeeping
   * for `traces`, not shown.
   */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #computed = new Map<PathOptimizer, { inputs: string; trace: PathTrace }>();
  /** Every shown optimizer's path: the step count, start and settings decide them, the scrubber does not. */
  readonly traces: PathTrace[] = $derived.by(() => {
    const p = this.#params;
    const start = startOf(p);
    return p.show.map((k) => {
      const key = k as PathOptimizer;
      const spec = pathSpec(p, key);
      const inputs = JSON.stringify([p.fn, start, p.steps, spec]);
      const known = this.#computed.get(key);
      if (known?.inputs === inputs) return known.trace;
      const r = trace(p.fn, start, p.steps, spec);
      const computed: PathTrace = { key, points: r.points, loss: r.loss, diverged: r.diverged };
      this.#computed.set(key, { inputs, trace: computed });
      return computed;
    });
  });

  constructor(query: URLSearchParams) {
    const { params, problems } = paramsFromQuery(query);
    this.#params = params;
    this.#t = Math.min(params.t ?? params.steps, params.steps);
    this.linkProblems = problems;
  }

  get params(): PathsParams {
    return this.#params;
  }
  /** The step shown (0 … steps). */
  get t(): number {
    return this.#t;
  }
  get playing(): boolean {
    return this.#playing;
  }
  /** The address query of the view. */
  get query(): URLSearchParams {
    const p = this.#params;
    return paramsToQuery({ ...p, t: this.#t === p.steps ? null : this.#t });
  }

  /** Changes settings; the paths are recomputed. */
  set(patch: Partial<PathsParams>): void {
    const next = { ...this.#params, ...patch };
    const atEnd = this.#t === this.#params.steps;
    this.#params = next;
    if (atEnd || this.#t > next.steps) this.#t = next.steps;
  }

  setLr(k: PathOptimizer, lr: number): void {
    this.set({ [lrKey(k)]: lr });
  }

  /** Another function: its own start, view and learning rates. */
  setFunction(name: string): void {
    const reset = Object.fromEntries(PATH_OPTIMIZERS.map((k) => [lrKey(k), null]));
    this.set({ ...reset, fn: name, x: null, y: null });
  }

  /** Starts every path at (x, y). */
  setStart(x: number, y: number): void {
    const r = (v: number) => Number(v.toPrecision(4));
    this.set({ x: r(x), y: r(y) });
  }

  toggleOptimizer(k: PathOptimizer, on: boolean): void {
    const show = PATH_OPTIMIZERS.filter((o) => (o === k ? on : this.#params.show.includes(o)));
    this.set({ show });
  }

  seek(t: number): void {
    this.#t = Math.max(0, Math.min(this.#params.steps, Math.round(t)));
  }

  step(): void {
    this.pause();
    this.seek(this.#t + 1);
  }

  play(): void {
    if (this.#t >= this.#params.steps) this.#t = 0;
    this.#playing = true;
    const tick = () => {
      if (!this.#playing) return;
      // About eight seconds for the whole path, whatever its length.
      const per = Math.max(1, Math.round(this.#params.steps / 480));
      this.seek(this.#t + per);
      if (this.#t >= this.#params.steps) this.#playing = false;
      else this.#frame = requestAnimationFrame(tick);
    };
    this.#frame = requestAnimationFrame(tick);
  }

  pause(): void {
    this.#playing = false;
    cancelAnimationFrame(this.#frame);
  }

  toggle(): void {
    if (this.#playing) this.pause();
    else this.play();
  }

  destroy(): void {
    this.pause();
  }
}
