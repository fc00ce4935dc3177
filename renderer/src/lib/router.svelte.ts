/**
 * Hash routing: each screen is `#/name`, its state in the query (`#/paths?fn=beale`), so that a
 * view can be bookmarked or shared and comes back after a reload. Screens write their state
 * with `replaceQuery` (no history entry per slider move); moving between screens is `go`.
 */
import { formatHash, parseHash } from './hash.ts';

export class Router {
  #path = $state('/');
  // Replaced whole on every change, never mutated: a plain URLSearchParams is enough.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #query = $state.raw(new URLSearchParams());
  #visit = $state(0);
  #token: string | null = null;

  constructor() {
    this.#arrive();
    window.addEventListener('hashchange', () => {
      this.#arrive();
      this.#visit++;
    });
  }

  /** A session token the page was given (by `optlab serve --open`) in the fragment, which it leaves at once. */
  get token(): string | null {
    return this.#token;
  }

  #arrive(): void {
    const r = parseHash(location.hash);
    this.#path = r.path;
    this.#query = r.query;
    if (r.token !== null) {
      this.#token = r.token;
      history.replaceState(history.state, '', formatHash(r.path, r.query));
    }
  }

  /** The current route, e.g. `/playground`. */
  get path(): string {
    return this.#path;
  }

  /** The current route's parameters (replaced whole on every change). */
  get query(): URLSearchParams {
    return this.#query;
  }

  /**
   * Counts arrivals from outside the screen (a link followed, the address edited, Back): a
   * screen reads its state from the query when it starts, so it is started again on each.
   */
  get visit(): number {
    return this.#visit;
  }

  /** Goes to another screen (a history entry, so Back returns). */
  go(path: string, query?: URLSearchParams): void {
    location.hash = formatHash(path, query);
  }

  /** Makes `path` the current route without a history entry (an unknown route sent home). */
  redirect(path: string, query?: URLSearchParams): void {
    history.replaceState(history.state, '', formatHash(path, query));
    this.#path = path;
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- replaced whole, never mutated
    this.#query = query ?? new URLSearchParams();
  }

  /** Writes the current screen's state into the address, replacing the entry. */
  replaceQuery(query: URLSearchParams): void {
    const hash = formatHash(this.#path, query);
    if (hash === location.hash) return;
    history.replaceState(history.state, '', hash);
    this.#query = query;
  }
}
