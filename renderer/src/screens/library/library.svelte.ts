/**
 * The Library's state: the studies, the experiments (searched and filtered in the Lab), the
 * data sets, and each finished experiment's best score. Kept current by the Lab's events.
 */
import type { DatasetInfo, ExperimentStatus, ExperimentSummary, PresetInfo } from '../../../../shared/lab-api.ts';
import type { LabClient } from '../../../../shared/lab-client.ts';
import { errorText } from '../lab-format.ts';
import { bestScore } from './best.ts';

export class LibraryState {
  #experiments = $state.raw<ExperimentSummary[]>([]);
  #datasets = $state.raw<DatasetInfo[]>([]);
  #presets = $state.raw<PresetInfo[]>([]);
  #best = $state.raw<Record<number, { metric: string; value: number } | null>>({});
  #error = $state<string | null>(null);
  #loaded = $state(false);
  search = $state('');
  status = $state<ExperimentStatus | ''>('');
  // Which report each best score was read from (updatedAt): bookkeeping, not shown.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #bestFor = new Map<number, number>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #off: () => void;

  constructor(readonly lab: LabClient) {
    this.#off = lab.subscribe((e) => {
      if (e.type === 'dataset-added' || e.type === 'dataset-deleted') void this.loadDatasets();
      else if (e.type !== 'progress' && e.type !== 'lan' && e.type !== 'worker-joined' && e.type !== 'worker-left')
        this.refreshSoon();
    });
    void this.load();
  }

  get experiments(): ExperimentSummary[] {
    return this.#experiments;
  }
  get datasets(): DatasetInfo[] {
    return this.#datasets;
  }
  get presets(): PresetInfo[] {
    return this.#presets;
  }
  get best(): Record<number, { metric: string; value: number } | null> {
    return this.#best;
  }
  get error(): string | null {
    return this.#error;
  }
  set error(v: string | null) {
    this.#error = v;
  }
  get loaded(): boolean {
    return this.#loaded;
  }

  async load(): Promise<void> {
    try {
      await this.lab.ready;
      const [presets] = await Promise.all([this.lab.listPresets(), this.loadDatasets(), this.loadExperiments()]);
      this.#presets = presets;
      this.#loaded = true;
    } catch (e) {
      this.#error = errorText(e);
    }
  }

  async loadDatasets(): Promise<void> {
    this.#datasets = await this.lab.listDatasets();
  }

  /** Many events come in bursts (every job of a run): one reload per burst. */
  refreshSoon(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.loadExperiments().catch((e) => (this.#error = errorText(e))), 150);
  }

  async loadExperiments(): Promise<void> {
    const list = await this.lab.listExperiments({
      search: this.search.trim() || undefined,
      status: this.status || undefined,
    });
    this.#experiments = list;
    for (const x of list) {
      if (!x.hasReport || this.#bestFor.get(x.id) === x.updatedAt) continue;
      this.#bestFor.set(x.id, x.updatedAt);
      void this.lab.getReport(x.id).then(
        (r) => (this.#best = { ...this.#best, [x.id]: r ? bestScore(r) : null }),
        () => {},
      );
    }
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#off();
  }
}
