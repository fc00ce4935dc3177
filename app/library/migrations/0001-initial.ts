/**
 * Schema version 1. Tables are STRICT so that a value of the wrong type is an error at the
 * insert, not a surprise at the next read; times are integer milliseconds since 1970 (UTC).
 */
export default /* sql */ `
CREATE TABLE datasets (
  -- datasetHash(): equal content, equal key, so storing the same data twice is a no-op.
  hash TEXT PRIMARY KEY NOT NULL,
  name TEXT NOT NULL,
  task TEXT NOT NULL CHECK (task IN ('classification', 'regression')),
  n INTEGER NOT NULL CHECK (n >= 0),
  d INTEGER NOT NULL CHECK (d >= 1),
  classes INTEGER NOT NULL CHECK (classes >= 0),
  -- classNames, featureNames, image, truth: read together, never searched.
  metadata TEXT NOT NULL CHECK (json_valid(metadata)),
  -- Little-endian float32, n·d and n values: the exact numbers the hash was taken over.
  x BLOB NOT NULL CHECK (length(x) = 4 * n * d),
  y BLOB NOT NULL CHECK (length(y) = 4 * n),
  created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX datasets_name ON datasets (name COLLATE NOCASE);

CREATE TABLE experiments (
  -- AUTOINCREMENT: an id the user has seen ("experiment 12") never comes back as another experiment.
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  spec TEXT NOT NULL CHECK (json_valid(spec)),
  status TEXT NOT NULL DEFAULT 'created'
    CHECK (status IN ('created', 'running', 'done', 'failed', 'cancelled')),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER,
  tags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags) AND json_type(tags) = 'array'),
  notes TEXT NOT NULL DEFAULT '',
  error TEXT
) STRICT;

CREATE INDEX experiments_name ON experiments (name COLLATE NOCASE);
CREATE INDEX experiments_status ON experiments (status, updated_at);
CREATE INDEX experiments_updated ON experiments (updated_at);

-- Which stored data sets an experiment trains on: what keeps a data set from being deleted
-- under an experiment, and what an export carries along.
CREATE TABLE experiment_datasets (
  experiment_id INTEGER NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
  hash TEXT NOT NULL REFERENCES datasets (hash) ON DELETE RESTRICT,
  PRIMARY KEY (experiment_id, hash)
) STRICT, WITHOUT ROWID;

CREATE INDEX experiment_datasets_hash ON experiment_datasets (hash);

CREATE TABLE jobs (
  experiment_id INTEGER NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'leased', 'done', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  worker TEXT,
  started_at INTEGER,
  finished_at INTEGER,
  -- Measured by the worker with a fractional clock, hence REAL.
  ms REAL,
  error TEXT,
  PRIMARY KEY (experiment_id, key)
) STRICT, WITHOUT ROWID;

CREATE INDEX jobs_state ON jobs (experiment_id, state);

-- Kept apart from jobs (and with a rowid) because a result can be megabytes, and listing
-- job states should not page through them.
CREATE TABLE job_results (
  experiment_id INTEGER NOT NULL,
  key TEXT NOT NULL,
  -- codec.ts encodeJobResult().
  result BLOB NOT NULL,
  PRIMARY KEY (experiment_id, key),
  FOREIGN KEY (experiment_id, key) REFERENCES jobs (experiment_id, key) ON DELETE CASCADE
) STRICT;

CREATE TABLE results (
  experiment_id INTEGER PRIMARY KEY REFERENCES experiments (id) ON DELETE CASCADE,
  -- The aggregated ExperimentReport plus its study series, as the CLI writes it with --out.
  report TEXT NOT NULL CHECK (json_valid(report)),
  created_at INTEGER NOT NULL
) STRICT;
`;
