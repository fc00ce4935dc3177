/**
 * The host half of a device optimizer: the hyperparameters each tensor's update kernel reads
 * (wgsl/optim.ts), and the per-step scalars computed in double precision exactly as
 * shared/optim computes them (bias corrections, Adagrad's decayed rate, NAdam's μ schedule and
 * its float32 product).
 */
import type { Optimizer } from '../optim/optimizer.ts';
import type { OptimizerName } from '../optim/registry.ts';
import { nadamMu } from '../optim/nadam.ts';
import type { Field } from './context.ts';
import { optimizerStates } from './wgsl/optim.ts';
import { pow } from '../math/index.ts';

/** What changes from step to step: bound to every kernel that reads the step uniform. */
export interface StepScalars {
  /** γ of this step (the epoch's scheduled rate). */
  lr: number;
  /** Optimizer-specific scalars (see wgsl/optim.ts). */
  c: [number, number, number, number];
  /** The first step (SGD's momentum buffer starts at the gradient). */
  first: boolean;
}

export class DeviceOptimizer {
  /** torch's name of the algorithm. */
  readonly name: OptimizerName;
  /** Resolved keyword arguments (torch's defaults filled in). */
  readonly #o: Record<string, unknown>;
  /** State tensors bound per parameter, and which of them this configuration uses. */
  readonly states: { names: string[]; used: boolean[] };
  /** P_t = Π μ_i of NAdam, kept in float32 as torch keeps it for float32 tensors. */
  #muProduct = 1;

  constructor(host: Optimizer) {
    this.name = host.name as OptimizerName;
    this.#o = host.defaults;
    this.states = optimizerStates(this.name, this.#o);
  }

  #num(key: string): number {
    const v = this.#o[key];
    return typeof v === 'number' ? v : 0;
  }

  #flag(key: string): boolean {
    return this.#o[key] === true;
  }

  #betas(): [number, number] {
    const b = this.#o.betas as readonly [number, number];
    return [b[0], b[1]];
  }

  /** Whether weight decay is applied as a shrink of θ (AdamW, NAdamW) rather than added to ∇. */
  get #decoupled(): boolean {
    return this.#flag('decoupled_weight_decay');
  }

  /** Value every element of state tensor `k` starts at (Adagrad's initial accumulator; else 0). */
  initialState(k: number): number {
    return this.name === 'adagrad' && k === 0 ? this.#num('initial_accumulator_value') : 0;
  }

  /** The uniform of one tensor of n values; l1/l2 are its penalty coefficients (0 when not penalized). */
  fields(n: number, l1: number, l2: number): Field[] {
    const sign = this.#flag('maximize') ? -1 : 1;
    const wd = this.#decoupled ? 0 : this.#num('weight_decay');
    let h: [number, number, number] = [0, 0, 0];
    let f: [boolean, boolean] = [false, false];
    switch (this.name) {
      case 'sgd':
        h = [this.#num('momentum'), this.#num('dampening'), 0];
        f = [this.#num('momentum') !== 0, this.#flag('nesterov')];
        break;
      case 'adagrad':
        h = [this.#num('eps'), 0, 0];
        break;
      case 'adadelta':
        h = [this.#num('rho'), this.#num('eps'), 0];
        break;
      case 'rmsprop':
        h = [this.#num('alpha'), this.#num('eps'), this.#num('momentum')];
        f = [this.#flag('centered'), false];
        break;
      case 'adam':
      case 'adamw':
      case 'nadam': {
        const [b1, b2] = this.#betas();
        h = [b1, b2, this.#num('eps')];
        f = [this.#flag('amsgrad'), false];
        break;
      }
    }
    return [
      ['u', n],
      ['f', l1],
      ['f', l2],
      ['f', sign],
      ['f', wd],
      ['f', h[0]],
      ['f', h[1]],
      ['f', h[2]],
      ['f', 1 - h[0]],
      ['f', 1 - h[1]],
      ['u', f[0] ? 1 : 0],
      ['u', f[1] ? 1 : 0],
    ];
  }

  /** The scalars of step t ≥ 1 at rate lr (call once per step, in order: NAdam keeps a product). */
  step(t: number, lr: number): StepScalars {
    const c: [number, number, number, number] = [0, 0, 0, 0];
    const wd = this.#num('weight_decay');
    const shrink = this.#decoupled ? 1 - lr * wd : 1;
    switch (this.name) {
      case 'adagrad':
        c[0] = lr / (1 + (t - 1) * this.#num('lr_decay'));
        break;
      case 'adam':
      case 'adamw': {
        const [b1, b2] = this.#betas();
        c[0] = lr / (1 - pow(b1, t));
        c[1] = Math.sqrt(1 - pow(b2, t));
        c[2] = shrink;
        break;
      }
      case 'nadam': {
        const [b1, b2] = this.#betas();
        const psi = this.#num('momentum_decay');
        const mu = nadamMu(b1, psi, t);
        const muNext = nadamMu(b1, psi, t + 1);
        this.#muProduct = Math.fround(this.#muProduct * Math.fround(mu));
        c[0] = 1 - pow(b2, t);
        c[1] = (-lr * (1 - mu)) / (1 - this.#muProduct);
        c[2] = (-lr * muNext) / (1 - this.#muProduct * muNext);
        c[3] = shrink;
        break;
      }
      default:
        break;
    }
    return { lr, c, first: t === 1 };
  }
}

/** The step uniform's fields: t, the loss slot, γ, c0…c3, first (see wgsl/optim.ts `S`). */
export function stepFields(t: number, slot: number, s: StepScalars): Field[] {
  return [
    ['u', t],
    ['u', slot],
    ['f', s.lr],
    ['f', s.c[0]],
    ['f', s.c[1]],
    ['f', s.c[2]],
    ['f', s.c[3]],
    ['u', s.first ? 1 : 0],
  ];
}
