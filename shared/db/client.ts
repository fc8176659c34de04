/** One postgres.js pool and its Drizzle handle per process. */
import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema.js";

export type Db = PostgresJsDatabase<typeof schema>;
/** A Drizzle transaction or the database itself: verbs take either. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0] | Db;

/**
 * Session limits for a pool (Postgres startup parameters): no statement runs longer than
 * DB_STATEMENT_TIMEOUT_MS, no lock is waited for longer than DB_LOCK_TIMEOUT_MS, and a session
 * left idle inside a transaction is ended after DB_IDLE_IN_TRANSACTION_TIMEOUT_MS (0 = no limit).
 * They bound what Postgres does; a Postgres that does not answer at all is bounded by the caller
 * (the API's REQUEST_TIMEOUT_MS).
 */
export function sessionLimits(config: { DB_STATEMENT_TIMEOUT_MS: number; DB_LOCK_TIMEOUT_MS: number; DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: number }): Record<string, string> {
  return {
    statement_timeout: String(config.DB_STATEMENT_TIMEOUT_MS),
    lock_timeout: String(config.DB_LOCK_TIMEOUT_MS),
    idle_in_transaction_session_timeout: String(config.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS),
  };
}

export function createDb(url: string, max = 10, connection: Record<string, string> = {}): { db: Db; sql: postgres.Sql } {
  const sql = postgres(url, {
    max,
    connection,
    onnotice: () => {},
    connect_timeout: 5,
    idle_timeout: 30,
  });
  return { db: drizzle(sql, { schema }), sql };
}

/**
 * A named prepared statement per database handle, built on first use. Hot paths (key lookup,
 * metering) use these: Postgres plans them once, which saves most of a query's cost.
 */
export function prepared<T>(build: (db: Db) => T): (db: Db) => T {
  const cache = new WeakMap<Db, T>();
  return (db) => {
    let stmt = cache.get(db);
    if (!stmt) {
      stmt = build(db);
      cache.set(db, stmt);
    }
    return stmt;
  };
}
