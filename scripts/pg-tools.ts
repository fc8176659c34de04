/**
 * Running Postgres's own client tools (pg_dump, pg_restore) against DATABASE_URL without the
 * password on their command line (where `ps` shows it to every user): the URL they get has no
 * password, and PGPASSWORD in their environment carries it.
 */
import { execFile } from "node:child_process";

export interface PgTarget {
  /** The connection URL without its password, safe to show and to pass as an argument. */
  url: string;
  database: string;
  env: NodeJS.ProcessEnv;
}

export function pgTarget(databaseUrl: string): PgTarget {
  const u = new URL(databaseUrl);
  const password = decodeURIComponent(u.password);
  u.password = "";
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.PGPASSWORD;
  if (password) env.PGPASSWORD = password;
  return { url: u.toString(), database: decodeURIComponent(u.pathname.slice(1)), env };
}

/** Runs a Postgres tool; rejects with its stderr when it fails. */
export function runPgTool(tool: string, args: string[], target: PgTarget): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(tool, args, { env: target.env, maxBuffer: 16 * 1024 * 1024 }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      const missing = (err as NodeJS.ErrnoException).code === "ENOENT";
      reject(new Error(missing ? `${tool} is not installed (Debian: apt-get install postgresql-client)` : `${tool} failed: ${stderr.trim() || err.message}`));
    });
  });
}
