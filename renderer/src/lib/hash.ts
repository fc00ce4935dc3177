/**
 * The hash part of the address, split into a route path and its query, and the Lab's session
 * token, which `optlab serve` hands over in the fragment (`#token=…`) so that it never reaches
 * a server log. Pure functions: the router applies them to `location.hash`.
 */

export interface HashRoute {
  /** `/playground`, `/paths`, … (always starting with a slash). */
  path: string;
  /** The route's parameters (a screen's state). */
  query: URLSearchParams;
  /** A session token found in the fragment, if any (it is removed from the route). */
  token: string | null;
}

/** Parses `#/path?query`; `#token=…` or `#/path?token=…` give the token and drop it from the query. */
export function parseHash(hash: string): HashRoute {
  let h = hash.startsWith('#') ? hash.slice(1) : hash;
  if (!h.startsWith('/')) h = h.includes('=') ? '/?' + h : '/' + h;
  const q = h.indexOf('?');
  const path = (q < 0 ? h : h.slice(0, q)) || '/';
  const query = new URLSearchParams(q < 0 ? '' : h.slice(q + 1));
  const token = query.get('token');
  query.delete('token');
  return { path: path.length > 1 ? path.replace(/\/+$/, '') : path, query, token };
}

/** `#/path?query` (no `?` when the query is empty). */
export function formatHash(path: string, query: URLSearchParams = new URLSearchParams()): string {
  const q = query.toString();
  return `#${path}${q ? '?' + q : ''}`;
}
