/**
 * Run fences: the guarantee that a job taken over from a worker that was only slow (its event
 * loop blocked, a long GC pause, a Redis that answered late) does not run alongside that worker's
 * first run. BullMQ's lock cannot give it: once the lock expires the job is handed to another
 * worker while the first run, which has not noticed, goes on. So a fenced run also holds a
 * Postgres advisory lock (per job name and key, e.g. a tenant's envId) for as long as it runs, in
 * a transaction of its own on a connection of its own: a second run waits until the first has
 * finished, however long that worker was paused. A worker that dies (SIGKILL, a lost host) loses
 * its connection, and Postgres releases its lock at once; the takeover then starts with no wait.
 */
import postgres from "postgres";

/** A run of the same work is still going on in another worker (or another run in this one). */
export class RunFenceBusyError extends Error {}

export interface RunFence {
  /** Runs fn while no other run with the same name and key runs, anywhere; waits up to waitMs for one that does. */
  run<T>(name: string, key: number, fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function createRunFence(url: string, opts: { connections: number; waitMs: number; pollMs?: number }): RunFence {
  const sql = postgres(url, {
    max: opts.connections,
    idle_timeout: 30,
    connect_timeout: 5,
    onnotice: () => {},
    // The transaction stays open (idle) for the whole run: no session limit may end it under the run.
    connection: { idle_in_transaction_session_timeout: 0, statement_timeout: 0 },
  });
  const pollMs = opts.pollMs ?? 100;
  return {
    async run<T>(name: string, key: number, fn: () => Promise<T>): Promise<T> {
      const result = await sql.begin(async (tx) => {
        const deadline = Date.now() + opts.waitMs;
        for (;;) {
          // A transaction-level lock: released by COMMIT/ROLLBACK, or by the session's end when the worker dies.
          const [row] = await tx<{ ok: boolean }[]>`select pg_try_advisory_xact_lock(hashtext(${name}), ${key}) as ok`;
          if (row?.ok) break;
          if (Date.now() >= deadline) throw new RunFenceBusyError(`${name} ${key} is still running elsewhere after ${opts.waitMs} ms; retried later`);
          await new Promise((r) => setTimeout(r, pollMs));
        }
        return { value: await fn() };
      });
      return (result as { value: T }).value;
    },
    close: () => sql.end({ timeout: 5 }),
  };
}
