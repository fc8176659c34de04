/** Applies the drizzle-kit migrations in drizzle/ to DATABASE_URL (`npm run migrate`). */
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { join } from "node:path";
import postgres from "postgres";
import { loadDotEnv, projectRoot } from "../shared/config.js";

loadDotEnv();
const url = process.env.DATABASE_URL;
if (!url) {
  console.error("migrate: DATABASE_URL is not set");
  process.exit(78);
}
const sql = postgres(url, { max: 1, onnotice: () => {} });
try {
  await migrate(drizzle(sql), { migrationsFolder: join(projectRoot, "drizzle") });
  console.log(`[migrate] ${new URL(url).pathname.slice(1)} is up to date`);
} finally {
  await sql.end();
}
