/**
 * Schema version 4: what a job engine beyond the LAN needs of the library.
 * - library_meta.library_id: a random id of this library, made once. Several Labs may share
 *   one Redis queue; their job ids start with it, so experiment 3 of one library is never
 *   taken for experiment 3 of another.
 * - experiments.engine: where the experiment's last run went (JSON: kind, where, back end,
 *   queue), so screens can say it and a restarted Lab knows which queue to look in.
 * - job_faults: a second delivery of a job's result whose bytes differ from the committed
 *   ones. Results are deterministic, so this is a fault (a worker with other kernels, bad
 *   memory, a bug) the user must see; the first result stays the one the report uses.
 */
export default /* sql */ `
CREATE TABLE library_meta (
  name TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
) STRICT, WITHOUT ROWID;

INSERT INTO library_meta (name, value) VALUES ('library_id', lower(hex(randomblob(8))));

ALTER TABLE experiments ADD COLUMN engine TEXT CHECK (engine IS NULL OR json_valid(engine));

CREATE TABLE job_faults (
  id INTEGER PRIMARY KEY,
  experiment_id INTEGER NOT NULL,
  key TEXT NOT NULL,
  -- The worker that delivered the differing copy, and the one whose copy was committed.
  worker TEXT NOT NULL,
  kept_worker TEXT,
  -- Where the two copies first differ, in words.
  detail TEXT NOT NULL,
  -- The differing copy (codec.ts encodeJobResult()), kept for inspection.
  result BLOB NOT NULL,
  at INTEGER NOT NULL,
  FOREIGN KEY (experiment_id, key) REFERENCES jobs (experiment_id, key) ON DELETE CASCADE
) STRICT;

CREATE INDEX job_faults_job ON job_faults (experiment_id, key);
`;
