/** Routes one screen opens from another, apart from routes.ts (which loads the screens). */

/**
 * The Builder's route, and the parameter through which another screen hands it a spec to
 * start from (JSON): the Playground's "Save as experiment" and "Sweep this…" open
 * `#/builder?spec=…`.
 */
export const BUILDER_PATH = '/builder';
export const BUILDER_SPEC_PARAM = 'spec';
