/**
 * The screens and where they live. Screens that talk to the Lab (Library, Builder, Monitor,
 * Report, Compare) set `needsLab`; the shell lists them only when the page has a Lab to talk
 * to. Each screen is loaded when first visited.
 */
import type { Component } from 'svelte';
import type { Router } from './lib/router.svelte.ts';

/** What every screen component receives. */
export interface ScreenProps {
  router: Router;
}

export interface Route {
  /** `#/path` of the screen. */
  path: string;
  /** Name in the navigation. */
  label: string;
  /** One line saying what the screen is for (the page title's second half). */
  title: string;
  /** Whether the screen needs a Lab (browser mode served by `optlab serve`, or the desktop app). */
  needsLab: boolean;
  load: () => Promise<{ default: Component<ScreenProps> }>;
}

export const ROUTES: readonly Route[] = [
  {
    path: '/library',
    label: 'Library',
    title: 'studies, experiments and data sets',
    needsLab: true,
    load: () => import('./screens/library/Library.svelte'),
  },
  {
    path: '/builder',
    label: 'Builder',
    title: 'write an experiment: its spec, sweep and plan',
    needsLab: true,
    load: () => import('./screens/builder/Builder.svelte'),
  },
  {
    path: '/monitor',
    label: 'Monitor',
    title: 'a run as it happens: jobs, workers, events',
    needsLab: true,
    load: () => import('./screens/monitor/Monitor.svelte'),
  },
  {
    path: '/report',
    label: 'Report',
    title: 'scores, curves, tests and the study figure',
    needsLab: true,
    load: () => import('./screens/report/Report.svelte'),
  },
  {
    path: '/compare',
    label: 'Compare',
    title: 'configurations of any experiments side by side',
    needsLab: true,
    load: () => import('./screens/compare/Compare.svelte'),
  },
  {
    path: '/playground',
    label: 'Playground',
    title: 'train a small network and watch its decision boundary',
    needsLab: false,
    load: () => import('./screens/playground/Playground.svelte'),
  },
  {
    path: '/paths',
    label: 'Optimizer Paths',
    title: 'optimizers on 2-D test functions, step by step',
    needsLab: false,
    load: () => import('./screens/paths/Paths.svelte'),
  },
];

/** Where `#/` and unknown routes go: the Library with a Lab, else the Playground. */
export function home(withLab: boolean): string {
  return withLab ? '/library' : '/playground';
}

export function findRoute(path: string): Route | undefined {
  return ROUTES.find((r) => r.path === path);
}
