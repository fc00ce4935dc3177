/**
 * The one place that changes the library's schema. Each migration is plain SQL; this runner
 * owns the transaction and PRAGMA user_version, so a migration either lands whole with its
 * version number or not at all, and two Labs opening the same file at once cannot both run it.
 */
import { basename } from 'node:path';
import type { Database } from 'better-sqlite3';
import initial from './migrations/0001-initial.ts';
import experimentTags from './migrations/0002-experiment-tags.ts';
import runOwner from './migrations/0003-run-owner.ts';
import enginesAndFaults from './migrations/0004-engines-and-faults.ts';

export interface Migration {
  /** The user_version the database has once this migration has run. */
  version: number;
  name: string;
  sql: string;
}

/** In order; version k is the k-th entry. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial', sql: initial },
  { version: 2, name: 'experiment-tags', sql: experimentTags },
  { version: 3, name: 'run-owner', sql: runOwner },
  { version: 4, name: 'engines-and-faults', sql: enginesAndFaults },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/** The file was last written by a later OptLab whose schema this one cannot read safely. */
export class NewerSchemaError extends Error {
  constructor(
    readonly file: string,
    readonly found: number,
    readonly known: number,
  ) {
    super(
      `${file} was written by a newer OptLab (schema version ${found}, this one knows ${known}); upgrade OptLab or open another --db`,
    );
    this.name = 'NewerSchemaError';
  }
}

/** The file is an SQLite database, but some other program's. */
export class NotALibraryError extends Error {
  constructor(
    readonly file: string,
    tables: string[],
  ) {
    super(
      `${file} is not an OptLab library: it is an SQLite database with other tables (${tables.slice(0, 5).join(', ')}${tables.length > 5 ? ', …' : ''}); open another --db`,
    );
    this.name = 'NotALibraryError';
  }
}

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function label(db: Database): string {
  return db.memory ? db.name : basename(db.name);
}

function setVersion(db: Database, version: number): void {
  // PRAGMA takes no bound parameters; the value is one of our own integer constants.
  if (!Number.isInteger(version) || version < 0) throw new Error(`migrate: bad schema version ${version}`);
  db.pragma(`user_version = ${version}`);
}

function userTables(db: Database): string[] {
  const rows = db
    .prepare(`SELECT name FROM sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`)
    .all() as { name: string }[];
  return rows.map((r) => r.name);
}

/**
 * Brings the database up to the last of `migrations` (the shipped list unless a test passes
 * a prefix of it to build an older file). Refuses a database from a newer OptLab before
 * touching anything.
 */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): { from: number; to: number } {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`migrate: migration ${m.name} has version ${m.version}, expected ${i + 1}`);
  });
  const target = migrations.length;
  const from = schemaVersion(db);
  if (from > target) throw new NewerSchemaError(label(db), from, target);
  if (from === target) return { from, to: from };

  // A migration that rebuilds a table (SQLite's only way to change most constraints) must
  // not trigger cascades while the old table is dropped; foreign_keys cannot change inside a
  // transaction, so it is switched off around them and checked by foreign_key_check instead.
  const fk = db.pragma('foreign_keys', { simple: true }) as number;
  db.pragma('foreign_keys = OFF');
  try {
    for (const m of migrations) {
      if (m.version <= from) continue;
      db.transaction(() => {
        // Another process may have migrated between our first look and this lock.
        const now = schemaVersion(db);
        if (now > target) throw new NewerSchemaError(label(db), now, target);
        if (now >= m.version) return;
        if (now === 0) {
          const tables = userTables(db);
          if (tables.length) throw new NotALibraryError(label(db), tables);
        }
        db.exec(m.sql);
        const broken = db.pragma('foreign_key_check') as unknown[];
        if (broken.length)
          throw new Error(`migration ${m.version} (${m.name}) left ${broken.length} rows with broken references`);
        setVersion(db, m.version);
      }).immediate();
    }
  } finally {
    if (fk) db.pragma('foreign_keys = ON');
  }
  return { from, to: schemaVersion(db) };
}
