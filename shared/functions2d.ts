/**
 * The classic 2-D test functions for optimizer paths, in float64: value, gradient, known minima,
 * and a suggested start and view box for charts.
 *
 *   rosenbrock  (1 − x)² + 100(y − x²)²                          min 0 at (1, 1), in a curved valley
 *   beale       (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²   min 0 at (3, 0.5)
 *   quadratic   ½(x² + 50y²)                                     min 0 at (0, 0), condition number 50
 *   saddle      x² − y²                                          saddle at (0, 0), unbounded below
 *   himmelblau  (x² + y − 11)² + (x + y² − 7)²                   four minima of value 0
 */

/** A point (x, y). */
export type Point2 = [number, number];

export type Function2DName = 'rosenbrock' | 'beale' | 'quadratic' | 'saddle' | 'himmelblau';

/** A known minimum. */
export interface Minimum2D {
  /** x at the minimum. */
  x: number;
  /** y at the minimum. */
  y: number;
  /** f(x, y) there. */
  value: number;
}

/** A chart's visible region. */
export interface ViewBox {
  /** Left edge. */
  xMin: number;
  /** Right edge. */
  xMax: number;
  /** Bottom edge. */
  yMin: number;
  /** Top edge. */
  yMax: number;
}

export interface Function2D {
  /** Key in FUNCTIONS_2D. */
  name: Function2DName;
  /** Display name. */
  label: string;
  /** f(x, y) written out in plain text. */
  formula: string;
  /** f(x, y). */
  value(x: number, y: number): number;
  /** f(x, y), writing ∂f/∂x into out[0] and ∂f/∂y into out[1] (nothing is allocated). */
  valueAndGrad(x: number, y: number, out: Float64Array | number[]): number;
  /** The global minima (empty for `saddle`, which has none). */
  minima: readonly Minimum2D[];
  /** A start that shows the function's difficulty. */
  start: Readonly<Point2>;
  /** The region a chart should show. */
  view: Readonly<ViewBox>;
  /** Whether contour levels should be spaced logarithmically (values span many decades). */
  logContours: boolean;
}

const rosenbrock: Function2D = {
  name: 'rosenbrock',
  label: 'Rosenbrock',
  formula: '(1 − x)² + 100(y − x²)²',
  value: (x, y) => (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x),
  valueAndGrad(x, y, out) {
    const a = 1 - x;
    const b = y - x * x;
    out[0] = -2 * a - 400 * x * b;
    out[1] = 200 * b;
    return a * a + 100 * b * b;
  },
  minima: [{ x: 1, y: 1, value: 0 }],
  start: [-1.5, 2],
  view: { xMin: -2, xMax: 2, yMin: -1, yMax: 3 },
  logContours: true,
};

const beale: Function2D = {
  name: 'beale',
  label: 'Beale',
  formula: '(1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²',
  value(x, y) {
    const y2 = y * y;
    const a = 1.5 - x + x * y;
    const b = 2.25 - x + x * y2;
    const c = 2.625 - x + x * (y2 * y);
    return a * a + b * b + c * c;
  },
  valueAndGrad(x, y, out) {
    const y2 = y * y;
    const y3 = y2 * y;
    const a = 1.5 - x + x * y;
    const b = 2.25 - x + x * y2;
    const c = 2.625 - x + x * y3;
    out[0] = 2 * a * (y - 1) + 2 * b * (y2 - 1) + 2 * c * (y3 - 1);
    out[1] = 2 * a * x + 4 * b * x * y + 6 * c * x * y2;
    return a * a + b * b + c * c;
  },
  minima: [{ x: 3, y: 0.5, value: 0 }],
  start: [1, 1.5],
  view: { xMin: -4.5, xMax: 4.5, yMin: -4.5, yMax: 4.5 },
  logContours: true,
};

const quadratic: Function2D = {
  name: 'quadratic',
  label: 'Ill-conditioned quadratic',
  formula: '½(x² + 50y²)',
  value: (x, y) => 0.5 * (x * x + 50 * y * y),
  valueAndGrad(x, y, out) {
    out[0] = x;
    out[1] = 50 * y;
    return 0.5 * (x * x + 50 * y * y);
  },
  minima: [{ x: 0, y: 0, value: 0 }],
  start: [-4, 1.5],
  view: { xMin: -5, xMax: 5, yMin: -2, yMax: 2 },
  logContours: false,
};

const saddle: Function2D = {
  name: 'saddle',
  label: 'Saddle',
  formula: 'x² − y²',
  value: (x, y) => x * x - y * y,
  valueAndGrad(x, y, out) {
    out[0] = 2 * x;
    out[1] = -2 * y;
    return x * x - y * y;
  },
  minima: [],
  // Slightly off the stable manifold y = 0, so that the escape along y shows how fast each method leaves.
  start: [-2, 1e-3],
  view: { xMin: -2.5, xMax: 2.5, yMin: -2.5, yMax: 2.5 },
  logContours: false,
};

const himmelblau: Function2D = {
  name: 'himmelblau',
  label: 'Himmelblau',
  formula: '(x² + y − 11)² + (x + y² − 7)²',
  value: (x, y) => (x * x + y - 11) * (x * x + y - 11) + (x + y * y - 7) * (x + y * y - 7),
  valueAndGrad(x, y, out) {
    const u = x * x + y - 11;
    const v = x + y * y - 7;
    out[0] = 4 * x * u + 2 * v;
    out[1] = 2 * u + 4 * y * v;
    return u * u + v * v;
  },
  // Besides (3, 2) the minima are irrational; these are Newton's method on ∇f = 0, to double precision.
  minima: [
    { x: 3, y: 2, value: 0 },
    { x: -2.805118086952745, y: 3.131312518250573, value: 0 },
    { x: -3.779310253377747, y: -3.283185991286169, value: 0 },
    { x: 3.5844283403304917, y: -1.8481265269644034, value: 0 },
  ],
  start: [0, 0],
  view: { xMin: -5, xMax: 5, yMin: -5, yMax: 5 },
  logContours: true,
};

/** Every test function by name, in the order help text lists them. */
export const FUNCTIONS_2D: Readonly<Record<Function2DName, Function2D>> = Object.freeze({
  rosenbrock,
  beale,
  quadratic,
  saddle,
  himmelblau,
});

/** The test function names. */
export const FUNCTION_2D_NAMES = Object.freeze(Object.keys(FUNCTIONS_2D) as Function2DName[]);

/** The function called `name`; throws naming the known ones otherwise. */
export function getFunction2D(name: string): Function2D {
  if (!Object.hasOwn(FUNCTIONS_2D, name)) {
    throw new RangeError(`unknown 2-D function ${JSON.stringify(name)} (known: ${FUNCTION_2D_NAMES.join(', ')})`);
  }
  return FUNCTIONS_2D[name as Function2DName];
}
