/**
 * Schema version 3: which process runs an experiment, and with which kernels.
 * - experiments.owner: the process running it (JSON: host, pid, its start time, the Lab's
 *   random id), set while a run holds it and cleared when the run ends. A process that dies
 *   (kill -9, a power cut) cannot clear it: a `running` experiment whose owner is gone is
 *   shown as `interrupted`, and a Lab opening the library records it so.
 * - experiments.heartbeat_at: when the owner last said it was alive; the only sign of life a
 *   process on another host (a container sharing the volume) can check.
 * - experiments.kernels: the kernel set (and its build) its committed results were computed
 *   with, so a resume never mixes two sets in one report.
 * - experiments.cost_units: the plan's cost in the preview's units (app/lab/preview.ts), set
 *   when a run plans it; with its jobs' times, the measured throughput later estimates use.
 * - the status `interrupted`. SQLite cannot change a CHECK constraint in place, so the table
 *   is rebuilt (its rows, ids and AUTOINCREMENT high-water mark kept), with its indexes and the
 *   tag triggers of version 2. The runner has foreign keys off while it runs, so dropping the
 *   old table cascades nothing; the child tables' references name `experiments` and follow the
 *   rebuilt table.
 */
export default /* sql */ `
CREATE TABLE experiments_v3 (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  spec TEXT NOT NULL CHECK (json_valid(spec)),
  status TEXT NOT NULL DEFAULT 'created'
    CHECK (status IN ('created', 'running', 'interrupted', 'done', 'failed', 'cancelled')),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER,
  tags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags) AND json_type(tags) = 'array'),
  notes TEXT NOT NULL DEFAULT '',
  error TEXT,
  owner TEXT CHECK (owner IS NULL OR (json_valid(owner) AND json_type(owner) = 'object')),
  heartbeat_at INTEGER,
  kernels TEXT CHECK (kernels IS NULL OR (json_valid(kernels) AND json_type(kernels) = 'object')),
  cost_units REAL CHECK (cost_units IS NULL OR cost_units >= 0)
) STRICT;

INSERT INTO experiments_v3 (id, name, spec, status, created_at, updated_at, started_at, finished_at, tags, notes, error)
  SELECT id, name, spec, status, created_at, updated_at, started_at, finished_at, tags, notes, error FROM experiments;

-- An id the user has seen never comes back: the rebuilt table continues the old one's sequence
-- (the largest id ever given, which may be larger than any id left).
DELETE FROM sqlite_sequence WHERE name = 'experiments_v3';
INSERT INTO sqlite_sequence (name, seq) SELECT 'experiments_v3', seq FROM sqlite_sequence WHERE name = 'experiments';

DROP TABLE experiments;
ALTER TABLE experiments_v3 RENAME TO experiments;

CREATE INDEX experiments_name ON experiments (name COLLATE NOCASE);
CREATE INDEX experiments_status ON experiments (status, updated_at);
CREATE INDEX experiments_updated ON experiments (updated_at);

CREATE TRIGGER experiments_tags_insert AFTER INSERT ON experiments BEGIN
  INSERT OR IGNORE INTO experiment_tags (experiment_id, tag)
    SELECT NEW.id, value FROM json_each(NEW.tags) WHERE type = 'text';
END;

CREATE TRIGGER experiments_tags_update AFTER UPDATE OF tags ON experiments BEGIN
  DELETE FROM experiment_tags WHERE experiment_id = NEW.id;
  INSERT OR IGNORE INTO experiment_tags (experiment_id, tag)
    SELECT NEW.id, value FROM json_each(NEW.tags) WHERE type = 'text';
END;
`;
