/**
 * Schema version 2: tags get a table of their own. In version 1 they exist only inside the
 * JSON array of experiments.tags, which no index can reach, so filtering a large library by
 * tag read every row. The JSON array stays the source of truth (it keeps the user's order);
 * triggers keep this table in step with it, so no code path can forget to.
 */
export default /* sql */ `
CREATE TABLE experiment_tags (
  experiment_id INTEGER NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
  tag TEXT NOT NULL COLLATE NOCASE,
  PRIMARY KEY (experiment_id, tag)
) STRICT, WITHOUT ROWID;

CREATE INDEX experiment_tags_tag ON experiment_tags (tag);

INSERT OR IGNORE INTO experiment_tags (experiment_id, tag)
  SELECT e.id, t.value FROM experiments AS e, json_each(e.tags) AS t WHERE t.type = 'text';

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
