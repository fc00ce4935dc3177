/**
 * What a WebGPU result promises against the CPU engine's, as a named class that travels in the
 * worker handshake and is stored with each result. The numbers are what the parity tests
 * (worker/webgpu-*.test.ts) check on every commit, on SwiftShader:
 *
 * - each kernel (products, bias + activation, losses, batch norm, dropout with the same mask,
 *   penalties, one step of every optimizer) within 1e-5 relative of the CPU path, relative
 *   meaning max |gpu − cpu| / max |cpu| over the output;
 * - a whole fit, 200 steps of a small MLP without dropout, within 1e-4 relative on the final
 *   weights and the learning curve, for every optimizer;
 * - cross-validated accuracy within 0.5 points of the CPU's;
 * - on one device, the same spec gives the same bits on every run.
 *
 * Dropout masks on the device come from a counter-based generator, not the CPU's stream: a
 * dropout fit follows another (equally likely) trajectory, and only its statistics compare.
 */

/** Name of the tolerance class above (bump the suffix when the promise changes). */
export const TOLERANCE_CLASS = 'webgpu-f32-v1';

/** The bounds of the class, for tests and reports. */
export const TOLERANCE = {
  /** Relative error of one kernel against the CPU path. */
  kernel: 1e-5,
  /** Relative error of a 200-step fit's weights and curve against the CPU engine. */
  fit: 1e-4,
  /** Difference of cross-validated accuracy, in points. */
  accuracyPoints: 0.5,
} as const;
