// Layer rules, checked by `npm test` (dependency-cruiser). Folders follow the runtime
// (docs/architecture.md): imports point down the list shared ← worker ← app, renderer ← shared.
// Inside shared/ the sub-layers below point one way too, and there are no cycles anywhere.

/** shared/ sub-layers, lowest first: a module may import its own layer or lower ones only. */
const SHARED_LAYERS = [
  // pure math, and the schemas of the spec and the export file (with their types and the walker that validates by them)
  [
    'math',
    'rng',
    'crc32',
    'linalg',
    'stats',
    'schema/check',
    'schema/types',
    'schema/spec',
    'schema/optimizers',
    'schema/walk',
    'schema/export',
  ],
  // data, layers, optimizers, resampling, 2-D functions
  ['data', 'nn', 'optim', 'resample', 'functions2d'],
  // the training loop, optimizer traces, whole-spec validation
  ['train', 'trace', 'schema/validate'],
  // the WebGPU training engine (an engine the loop is handed; it takes a GPUDevice, never finds one)
  ['gpu'],
  // studies' measurements on trained models
  ['analysis'],
  // the experiment engine
  ['experiment'],
  // what crosses processes: the worker protocol, its framing, the Lab API contract
  [
    'protocol',
    'protocol-schema',
    'protocol-validate',
    'codec',
    'lab-api',
    'lab-states',
    'lab-errors',
    'lab-rpc',
    'lab-client',
    'lab-monitor',
  ],
];
const re = (names) => `^shared/(${names.map((n) => n.replace('/', '\\/')).join('|')})(\\.ts$|/)`;

/** npm packages that run anywhere (no Node or DOM API), so shared/ may use them. */
const PORTABLE_PACKAGES = ['typebox'];

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'Import cycles make modules impossible to understand or load on their own. A module that imports itself (a recursive Svelte component: svelte:self is deprecated in Svelte 5) is not a cycle.',
      from: { path: '(.+)' },
      to: { circular: true, pathNot: '^$1$' },
    },
    {
      name: 'shared-stays-shared',
      severity: 'error',
      comment: 'shared/ runs in workers, the Lab and the browser: it imports nothing outside itself.',
      from: { path: '^shared/' },
      to: { pathNot: ['^shared/', `^node_modules/(${PORTABLE_PACKAGES.join('|')})/`], dependencyTypesNot: ['core'] },
    },
    {
      name: 'shared-no-node-builtins',
      severity: 'error',
      comment: 'shared/ uses no node: module (tests may, they run under node:test).',
      from: { path: '^shared/', pathNot: '\\.test\\.ts$' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'worker-imports-shared-only',
      severity: 'error',
      from: { path: '^worker/' },
      to: { path: '^(app|renderer|e2e|bench|scripts)/' },
    },
    {
      name: 'app-imports-shared-and-worker-only',
      severity: 'error',
      from: { path: '^app/' },
      to: { path: '^(renderer|e2e|bench|scripts)/' },
    },
    {
      name: 'front-ends-through-lab-api',
      severity: 'error',
      comment:
        'The command line, the served API and the web server hold the Lab through LabApi (app/lab.ts); the library and the Lab’s parts are its internals.',
      from: { path: '^app/(cli|api|web)/' },
      to: { path: '^app/(library|lab)/' },
    },
    {
      name: 'renderer-imports-shared-only',
      severity: 'error',
      comment: 'The renderer talks to the Lab only through the LabApi contract in shared/.',
      from: { path: '^renderer/' },
      to: { path: '^(app|worker|e2e|bench|scripts)/' },
    },
    {
      name: 'renderer-no-node-builtins',
      severity: 'error',
      from: { path: '^renderer/', pathNot: '\\.test\\.ts$' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'e2e-drives-from-outside',
      severity: 'error',
      comment: 'End-to-end tests drive the built program; they may share types from shared/ only.',
      from: { path: '^e2e/' },
      to: { path: '^(app|worker|renderer)/' },
    },
    ...SHARED_LAYERS.map((layer, i) => ({
      name: `shared-layer-${layer.join('-').replace(/\//g, '_')}`,
      severity: 'error',
      comment: `shared/ sub-layer ${i}: may import only its own layer and the ones below.`,
      from: { path: re(layer), pathNot: '\\.test\\.ts$' },
      to: { path: re(SHARED_LAYERS.slice(i + 1).flat()) },
    })),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/|^shared/linalg/wasm/src/|kernels\\.generated\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
