import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Store } from './types';

/**
 * The sandbox's persistent state: one SQLite file (`<home>/sandbox.db`, WAL mode) holding JSON
 * documents per table. Synchronous, so an operation's read-check-write is atomic in Node's single
 * thread without extra locking.
 */
export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly stmts: {
    get: Database.Statement;
    put: Database.Statement;
    insert: Database.Statement;
    delete: Database.Statement;
    list: Database.Statement;
    listPrefix: Database.Statement;
    count: Database.Statement;
    countPrefix: Database.Statement;
    seq: Database.Statement;
  };

  /** @param file - the database file, or `:memory:` */
  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS docs (tbl TEXT NOT NULL, id TEXT NOT NULL, json TEXT NOT NULL, PRIMARY KEY (tbl, id));
      CREATE TABLE IF NOT EXISTS sequences (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
    `);
    this.stmts = {
      get: this.db.prepare('SELECT json FROM docs WHERE tbl = ? AND id = ?'),
      put: this.db.prepare(
        'INSERT INTO docs (tbl, id, json) VALUES (?, ?, ?) ON CONFLICT (tbl, id) DO UPDATE SET json = excluded.json',
      ),
      insert: this.db.prepare('INSERT OR IGNORE INTO docs (tbl, id, json) VALUES (?, ?, ?)'),
      delete: this.db.prepare('DELETE FROM docs WHERE tbl = ? AND id = ?'),
      list: this.db.prepare('SELECT json FROM docs WHERE tbl = ? ORDER BY rowid'),
      listPrefix: this.db.prepare('SELECT json FROM docs WHERE tbl = ? AND id >= ? AND id < ? ORDER BY rowid'),
      count: this.db.prepare('SELECT COUNT(*) AS n FROM docs WHERE tbl = ?'),
      countPrefix: this.db.prepare('SELECT COUNT(*) AS n FROM docs WHERE tbl = ? AND id >= ? AND id < ?'),
      seq: this.db.prepare(
        `INSERT INTO sequences (name, value) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value`,
      ),
    };
  }

  get<T>(table: string, id: string): T | undefined {
    const row = this.stmts.get.get(table, id) as { json: string } | undefined;
    return row ? (JSON.parse(row.json) as T) : undefined;
  }

  put<T>(table: string, id: string, value: T): void {
    this.stmts.put.run(table, id, JSON.stringify(value));
  }

  insert<T>(table: string, id: string, value: T): boolean {
    return this.stmts.insert.run(table, id, JSON.stringify(value)).changes === 1;
  }

  delete(table: string, id: string): boolean {
    return this.stmts.delete.run(table, id).changes === 1;
  }

  list<T>(table: string, prefix?: string): T[] {
    const rows = (
      prefix === undefined ? this.stmts.list.all(table) : this.stmts.listPrefix.all(table, prefix, `${prefix}\uffff`)
    ) as { json: string }[];
    return rows.map((r) => JSON.parse(r.json) as T);
  }

  count(table: string, prefix?: string): number {
    const row = (
      prefix === undefined ? this.stmts.count.get(table) : this.stmts.countPrefix.get(table, prefix, `${prefix}\uffff`)
    ) as { n: number };
    return row.n;
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  nextSequence(name: string): number {
    return (this.stmts.seq.get(name) as { value: number }).value;
  }

  /** Deletes every document and counter (`/_sandbox/reset`). */
  clear(): void {
    this.db.exec('DELETE FROM docs; DELETE FROM sequences;');
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
