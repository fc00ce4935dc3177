// Entry of a job thread. Node 20 cannot start a worker_threads Worker from a .ts file under
// tsx (ERR_UNKNOWN_FILE_EXTENSION), so this plain module registers tsx, then loads the code.
// TypeBox first, by Node itself (see bin/optlab.mjs): every job thread validates by the schema.
import 'typebox';
import { register } from 'tsx/esm/api';

register();
await import('./thread.ts');
