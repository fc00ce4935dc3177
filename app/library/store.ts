/**
 * The open library as its table modules use it: the connection, prepared statements cached by
 * their SQL, write transactions and the clock.
 */
import type { Database, Statement } from 'better-sqlite3';

/** better-sqlite3 binds Buffers; a view over the same memory avoids a copy. */
export const blob = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

export class Store {
  readonly #statements = new Map<string, Statement>();

  constructor(
    readonly db: Database,
    readonly now: () => number,
  ) {}

  stmt(sql: string): Statement {
    let s = this.#statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.#statements.set(sql, s);
    }
    return s;
  }

  /** A write transaction that takes the lock at BEGIN, so it never fails half-way on a lock upgrade. */
  write<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  requireExperiment(id: number): void {
    if (!this.stmt('SELECT 1 FROM experiments WHERE id = ?').get(id))
      throw new Error(`no experiment ${id} in the library`);
  }

  touch(id: number): void {
    this.stmt('UPDATE experiments SET updated_at = ? WHERE id = ?').run(this.now(), id);
  }
}
