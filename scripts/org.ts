/**
 * `npm run org -- create <name>` creates an organisation and prints its token (shown once).
 * `npm run org -- rotate-token <id>` replaces an organisation's token and prints the new one
 * (shown once); the old token and every access token issued from it are refused at once.
 */
import { loadConfig } from "../shared/config.js";
import { createDb } from "../shared/db/client.js";
import { AppError } from "../shared/errors.js";
import { createOrganisation, rotateOrganisationToken } from "../shared/orgs.js";

const usage = "usage: npm run org -- create <name>\n       npm run org -- rotate-token <organisation id>";
const [command, ...rest] = process.argv.slice(2);
const arg = rest.join(" ").trim();
const orgId = Number(arg);
if (!((command === "create" && arg) || (command === "rotate-token" && Number.isInteger(orgId) && orgId > 0 && orgId <= 2_147_483_647))) {
  console.error(usage);
  process.exit(64);
}
const config = loadConfig();
const { db, sql } = createDb(config.DATABASE_URL, 1);
try {
  if (command === "create") {
    const { org, token } = await createOrganisation(db, arg);
    console.log(`organisation ${org.id} "${org.name}" created. Its token, shown only now:\n\n  ${token}\n`);
  } else {
    const { org, token } = await rotateOrganisationToken(db, orgId, { adminToken: config.CONVERGENCE_ADMIN_TOKEN });
    console.log(
      `organisation ${org.id} "${org.name}" has a new token, shown only now:\n\n  ${token}\n\n` +
        "The old token and every access token issued from it are refused from now on.",
    );
  }
} catch (err) {
  if (!(err instanceof AppError)) throw err;
  console.error(`org: ${err.message}`);
  process.exitCode = 1;
} finally {
  await sql.end();
}
