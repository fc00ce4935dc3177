/**
 * Every colour the charts use, in one place, so that a configuration or an optimizer has the
 * same colour on every screen.
 *
 * Series: the Okabe–Ito set (designed to stay distinct under the common colour-vision
 * deficiencies) without its yellow, which vanishes on white, plus olive and wine from Paul
 * Tol's "muted" set: nine colours, one per optimizer of the Optimizer Paths screen. `ink` is
 * the text colour of the theme (black on light, near-white on dark).
 */

/** A series colour: a CSS colour, or `ink` for the theme's text colour. */
export type SeriesColor = string;

/** The categorical series colours, in the order configurations take them. */
export const SERIES: readonly SeriesColor[] = Object.freeze([
  '#0072B2', // blue
  '#E69F00', // orange
  '#009E73', // bluish green
  '#D55E00', // vermillion
  '#CC79A7', // reddish purple
  '#56B4E9', // sky blue
  '#999933', // olive (Tol)
  '#882255', // wine (Tol)
  'ink',
]);

/** Colour of configuration i of an experiment (wraps after nine). */
export function configColor(i: number): SeriesColor {
  return SERIES[((i % SERIES.length) + SERIES.length) % SERIES.length];
}

/** The classic methods' colours (optimizer presets by key), fixed across screens. */
export const OPTIMIZER_COLORS: Readonly<Record<string, SeriesColor>> = Object.freeze({
  gd: 'ink',
  sgd: 'ink',
  momentum: '#E69F00',
  nag: '#D55E00',
  adagrad: '#009E73',
  adadelta: '#999933',
  rmsprop: '#56B4E9',
  adam: '#0072B2',
  amsgrad: '#0072B2',
  adamw: '#CC79A7',
  nadam: '#882255',
});

/** Colour of an optimizer preset key (`adam`, `nag`, …) or optimizer name (`sgd` → GD's). */
export function optimizerColor(key: string): SeriesColor {
  return OPTIMIZER_COLORS[key] ?? 'ink';
}

/** Resolves `ink` against the page's current theme (reads the --ink custom property). */
export function cssColor(c: SeriesColor, el: Element = document.documentElement): string {
  if (c !== 'ink') return c;
  return getComputedStyle(el).getPropertyValue('--ink').trim() || '#222';
}

/** Line styles by data part, everywhere: train solid, validation dashed, test dotted. */
export const PART_DASH: Readonly<Record<'train' | 'val' | 'test', number[] | undefined>> = Object.freeze({
  train: undefined,
  val: [8, 4],
  test: [2, 3],
});

/**
 * Colours by data part where one run's parts share a chart (the Playground's curves): train
 * blue, validation bluish green, test vermillion (Okabe–Ito), with PART_DASH's line styles, so
 * that each part is told apart by colour and by dash. Screens comparing configurations keep
 * one colour per configuration instead, and tell the parts apart by dash alone.
 */
export const PART_COLORS: Readonly<Record<'train' | 'val' | 'test', SeriesColor>> = Object.freeze({
  train: '#0072B2',
  val: '#009E73',
  test: '#D55E00',
});

/**
 * Classes on decision maps: TensorFlow Playground's orange (class 0) and blue (class 1), then
 * Okabe–Ito green, purple and vermillion for more classes.
 */
export const CLASS_COLORS: readonly string[] = Object.freeze(['#f59322', '#0877bd', '#009E73', '#CC79A7', '#D55E00']);

/** The neutral middle of the diverging decision scale (an undecided point). */
export const NEUTRAL = '#e8eaeb';

/** How far a certain decision moves from NEUTRAL towards its class colour: points stay visible on it. */
export const DECISION_STRENGTH = 0.62;

/** [r, g, b] of a #rrggbb colour. */
export function rgb(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

/** The colour a fraction t ∈ [0, 1] of the way from a to b (components as [r, g, b]). */
export function mix(a: readonly number[], b: readonly number[], t: number): [number, number, number] {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}
