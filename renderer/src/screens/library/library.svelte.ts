/**
 * The Library's state: the studies, the experiments (searched and filtered in the Lab), the
 * data sets, each finished experiment's best score, and per study the signature figure of its
 * newest finished run (the card's thumbnail). Kept current by the Lab's events.
 */
import type {
  DatasetInfo,
  ExperimentStatus,
  ExperimentSummary,
  PresetInfo,
  StudyView,
} from '../../../../shared/lab-api.ts';
import type { LabClient } from '../../../../shared/lab-client.ts';
import { errorText } from '../lab-format.ts';
import { bestScore } from './best.ts';
import type { ChartModel } from '../../charts/series.ts';
import { studyFigures } from '../report/study.ts';
import { figureChart } from '../report/plot.ts';

/** A study card's thumbnail drawn from a finished run: its first signature figure. */
export interface StudyThumbnail {
  id: number;
  name: string;
  finishedAt: number;
  chart: ChartModel;
}

export class LibraryState {
  #experiments = $state.raw<ExperimentSummary[]>([]);
  #datasets = $state.raw<DatasetInfo[]>([]);
  #presets = $state.raw<PresetInfo[]>([]);
  #best = $state.raw<Record<number, { metric: string; value: number } | null>>({});
  #thumbs = $state.raw<Record<string, StudyThumbnail>>({});
  #error = $state<string | null>(null);
  #loaded = $state(false);
  search = $state('');
  status = $state<ExperimentStatus | ''>('');
  // Which report each best score was read from (updatedAt): bookkeeping, not shown.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #bestFor = new Map<number, number>();
  // Which experiments' study series were read (at which updatedAt): bookkeeping, not shown.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #studyFor = new Map<number, number>();
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
  /** Per study kind, the signature figure of its newest finished run. */
  get thumbs(): Record<string, StudyThumbnail> {
    return this.#thumbs;
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
    // The whole list: a thumbnail whose experiment is gone goes back to the sketch.
    if (!this.search.trim() && !this.status) {
      const kept = Object.entries(this.#thumbs).filter(([, t]) => list.some((x) => x.id === t.id));
      if (kept.length < Object.keys(this.#thumbs).length) this.#thumbs = Object.fromEntries(kept);
    }
    for (const x of list) {
      if (!x.hasReport || x.status !== 'done' || this.#studyFor.get(x.id) === x.updatedAt) continue;
      this.#studyFor.set(x.id, x.updatedAt);
      void this.lab.getStudy(x.id).then(
        (v) => this.#thumbFrom(x, v),
        () => {},
      );
    }
  }

  #thumbFrom(x: ExperimentSummary, v: StudyView | null): void {
    const f = v ? studyFigures(v)[0] : undefined;
    if (!v || !f) return;
    const at = x.finishedAt ?? x.updatedAt;
    const had = this.#thumbs[v.kind];
    if (had && had.id !== x.id && had.finishedAt >= at) return;
    this.#thumbs = { ...this.#thumbs, [v.kind]: { id: x.id, name: x.name, finishedAt: at, chart: figureChart(f) } };
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#off();
  }
}
