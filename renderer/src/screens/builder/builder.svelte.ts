/**
 * The Builder's state: the spec being written (a plain JSON object, edited by the form and
 * the JSON tab alike), the Lab's problems with it as you type, and the plan it would run.
 */
import type { LabProblem, PlanPreview } from '../../../../shared/lab-api.ts';
import type { LabClient } from '../../../../shared/lab-client.ts';
import { errorText } from '../lab-format.ts';
import { setAt, type Path, type SchemaNode } from './schema.ts';

export type Spec = Record<string, unknown>;

/** Where a new experiment starts: a small, valid cross-validated MLP. */
export function startingSpec(): Spec {
  return {
    name: 'Untitled experiment',
    seed: 7,
    dataset: { name: 'iris' },
    model: { kind: 'mlp', hidden: [16] },
    loss: { kind: 'cross_entropy' },
    optimizer: { name: 'adam', lr: 0.001 },
    training: { epochs: 20, batchSize: 16 },
    evaluation: { kind: 'kfold', k: 5 },
  };
}

export class BuilderState {
  #spec = $state.raw<Spec>(startingSpec());
  #schema = $state.raw<SchemaNode | null>(null);
  #problems = $state.raw<LabProblem[]>([]);
  #plan = $state.raw<PlanPreview | null>(null);
  #checking = $state(false);
  #external = $state(0);
  #error = $state<string | null>(null);
  /** The JSON tab's text while it does not parse (null: it shows the spec). */
  jsonDraft = $state<string | null>(null);
  jsonError = $state<string | null>(null);
  #timer: ReturnType<typeof setTimeout> | undefined;
  #round = 0;

  constructor(
    readonly lab: LabClient,
    initial: Spec | null,
  ) {
    if (initial) this.#spec = initial;
    void this.#load();
  }

  async #load(): Promise<void> {
    try {
      await this.lab.ready;
      this.#schema = (await this.lab.specSchema()) as SchemaNode;
      this.check();
    } catch (e) {
      this.#error = errorText(e);
    }
  }

  get spec(): Spec {
    return this.#spec;
  }
  get schema(): SchemaNode | null {
    return this.#schema;
  }
  get problems(): LabProblem[] {
    return this.#problems;
  }
  get plan(): PlanPreview | null {
    return this.#plan;
  }
  get checking(): boolean {
    return this.#checking;
  }
  get error(): string | null {
    return this.#error;
  }
  set error(v: string | null) {
    this.#error = v;
  }
  /** Save is allowed once the Lab has checked this very spec and found nothing wrong. */
  get canSave(): boolean {
    return !this.#checking && this.#problems.length === 0 && this.jsonError === null && this.#schema !== null;
  }

  /** The problems of one field, as text (`must be > 0, got -1`). */
  problemsAt(path: string): string[] {
    return this.#problems.filter((p) => p.path === path).map((p) => p.message);
  }

  /** Sets the field at `path` (undefined removes it: the spec's default applies). */
  set(path: Path, value: unknown): void {
    const next = structuredClone(this.#spec);
    setAt(next, path, value);
    this.replace(next);
  }

  /** The whole spec; `external` when it comes from elsewhere than the form (the JSON tab), so editors with their own rows start again. */
  replace(spec: Spec, external = false): void {
    this.#spec = spec;
    if (external) this.#external++;
    this.check();
  }

  /** Counts replacements from outside the form. */
  get external(): number {
    return this.#external;
  }

  /** Asks the Lab about the spec a moment after the last keystroke. */
  check(): void {
    this.#checking = true;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#check(), 200);
  }

  async #check(): Promise<void> {
    const round = ++this.#round;
    const spec = this.#spec;
    try {
      const r = await this.lab.validateSpec(spec);
      if (round !== this.#round) return;
      this.#problems = r.problems;
      this.#plan = r.ok ? await this.lab.previewPlan({ spec }) : null;
    } catch (e) {
      if (round !== this.#round) return;
      this.#problems = [{ path: '', message: errorText(e) }];
      this.#plan = null;
    } finally {
      if (round === this.#round) this.#checking = false;
    }
  }

  /** Stores the experiment; with `run`, starts it. Returns its id. */
  async save(run: boolean): Promise<number | null> {
    this.#error = null;
    try {
      const x = await this.lab.createExperiment(this.#spec);
      if (run) await this.lab.startRun(x.id);
      return x.id;
    } catch (e) {
      this.#error = errorText(e);
      return null;
    }
  }

  stop(): void {
    clearTimeout(this.#timer);
  }
}
