/**
 * `npm run restore -- FILE [--force]`: brings the platform's database back from a
 * `npm run backup` file into DATABASE_URL (created if it does not exist), then applies any
 * migration newer than the backup. It refuses a database that already has tables unless --force
 * is given (then what the backup contains replaces what is there). Start the API and workers
 * afterwards: the reconciler adopts the tenant containers still running (same names and labels,
 * nothing is re-created), re-creates the ingress routes and re-enqueues unfinished work.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { loadConfig, projectRoot } from "../shared/config.js";
import { pgTarget, runPgTool } from "./pg-tools.js";

const usage = "usage: npm run restore -- FILE [--force]";
const args = process.argv.slice(2);
const force = args.includes("--force");
const files = args.filter((a) => a !== "--force");
if (files.length !== 1 || files[0]!.startsWith("-")) {
  console.error(usage);
  process.exit(64);
}
const file = resolve(files[0]!);
if (!existsSync(file)) {
  console.error(`restore: ${file} does not exist\n${usage}`);
  process.exit(66);
}

const config = loadConfig();
const target = pgTarget(config.DATABASE_URL);
const quiet = { onnotice: () => {}, max: 1, connect_timeout: 5 };

await ensureDatabase();
const sql = postgres(config.DATABASE_URL, quiet);
try {
  const tables = await sql<{ name: string }[]>`
    select schemaname || '.' || tablename as name from pg_tables
    where schemaname not in ('pg_catalog', 'information_schema') order by 1`;
  if (tables.length && !force) {
    console.error(
      `restore: database "${target.database}" is not empty (${tables.length} tables, e.g. ${tables
        .slice(0, 3)
        .map((t) => t.name)
        .join(", ")}).\n` +
        "Restoring over it would mix two platforms' state. Point DATABASE_URL at a new or empty database, " +
        "or pass --force to replace what the backup contains.",
    );
    process.exit(65);
  }
  await runPgTool(
    "pg_restore",
    ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", ...(tables.length ? ["--clean", "--if-exists"] : []), `--dbname=${target.url}`, file],
    target,
  );
  // A backup from an older version gets the migrations it predates.
  await migrate(drizzle(sql), { migrationsFolder: join(projectRoot, "drizzle") });
} catch (err) {
  console.error(`restore: ${(err as Error).message}`);
  process.exit(1);
} finally {
  await sql.end({ timeout: 5 });
}
console.log(`restore: ${file} restored into ${target.database}; start the API and workers: the reconciler adopts running tenants and re-creates their routes`);

/** Creates the database when it does not exist (connecting to the server's maintenance database). */
async function ensureDatabase(): Promise<void> {
  const probe = postgres(config.DATABASE_URL, quiet);
  const missing = await probe`select 1`.then(
    () => false,
    (err: { code?: string; message: string }) => {
      if (err.code === "3D000") return true;
      console.error(`restore: cannot connect to database "${target.database}": ${err.message}`);
      process.exit(69);
    },
  );
  await probe.end({ timeout: 5 });
  if (!missing) return;
  const admin = new URL(config.DATABASE_URL);
  admin.pathname = "/postgres";
  const server = postgres(admin.toString(), quiet);
  try {
    await server.unsafe(`create database "${target.database.replace(/"/g, '""')}"`);
    console.error(`restore: created database ${target.database}`);
  } catch (err) {
    console.error(`restore: database "${target.database}" does not exist and could not be created (${(err as Error).message}); create it, empty, and run the restore again`);
    process.exit(69);
  } finally {
    await server.end({ timeout: 5 });
  }
}
