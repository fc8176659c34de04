/** `npm run org -- create <name>` creates an organisation and prints its token (shown once). */
import { loadConfig } from "../shared/config.js";
import { createDb } from "../shared/db/client.js";
import { createOrganisation } from "../shared/orgs.js";

const [command, ...rest] = process.argv.slice(2);
const name = rest.join(" ").trim();
if (command !== "create" || !name) {
  console.error("usage: npm run org -- create <name>");
  process.exit(64);
}
const config = loadConfig();
const { db, sql } = createDb(config.DATABASE_URL, 1);
try {
  const { org, token } = await createOrganisation(db, name);
  console.log(`organisation ${org.id} "${org.name}" created. Its token, shown only now:\n\n  ${token}\n`);
} finally {
  await sql.end();
}
