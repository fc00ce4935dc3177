// The statuses of experiments and the states of jobs are one list each: the SQL CHECK
// constraints of the library's tables, the values the code uses (shared/lab-states.ts), the
// served API's argument schema and the command line's --status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { migrate } from './migrate.ts';
import { EXPERIMENT_STATUSES, JOB_STATES } from '../../shared/lab-states.ts';
import { LAB_METHODS } from '../../shared/lab-rpc.ts';
import { STATUSES } from '../cli/library-commands.ts';

/** The quoted values of `column IN (…)` in a table's CREATE statement. */
function checkList(db: Database.Database, table: string, column: string): string[] {
  const { sql } = db.prepare('SELECT sql FROM sqlite_schema WHERE type = ? AND name = ?').get('table', table) as {
    sql: string;
  };
  const m = new RegExp(`CHECK \\(${column} IN \\(([^)]*)\\)\\)`).exec(sql);
  assert.ok(m, `no CHECK on ${table}.${column} in:\n${sql}`);
  return [...m[1].matchAll(/'([^']*)'/g)].map((x) => x[1]);
}

test('experiment statuses and job states: the SQL, the code, the API schema and the CLI agree', () => {
  const db = new Database(':memory:');
  try {
    migrate(db);
    assert.deepEqual(checkList(db, 'experiments', 'status'), [...EXPERIMENT_STATUSES]);
    assert.deepEqual(checkList(db, 'jobs', 'state'), [...JOB_STATES]);
  } finally {
    db.close();
  }
  assert.deepEqual([...STATUSES], [...EXPERIMENT_STATUSES]);
  const list = LAB_METHODS.listExperiments[0].schema as { properties: { status: { enum: string[] } } };
  assert.deepEqual(list.properties.status.enum, [...EXPERIMENT_STATUSES]);
  const help = spawnSync(
    process.execPath,
    [fileURLToPath(new URL('../../bin/optlab.mjs', import.meta.url)), 'help', 'ls'],
    {
      encoding: 'utf8',
    },
  );
  assert.ok(help.stdout.includes(`--status ${EXPERIMENT_STATUSES.join('|')}`), help.stdout);
});
