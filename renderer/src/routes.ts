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

/** Where `#/` and unknown routes go. */
export const HOME = '/playground';

export function findRoute(path: string): Route | undefined {
  return ROUTES.find((r) => r.path === path);
}
