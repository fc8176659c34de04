/**
 * Organisations, on the server:
 *   npm run org -- create <name>              a new organisation; prints its token (shown once)
 *   npm run org -- rotate-token <id>          a new token (shown once); the old one and its access tokens stop working
 *   npm run org -- limits <id>                its limits (own or default) and what it uses of each
 *   npm run org -- set-limits <id> --max-tenants 50 --spawns-per-minute 30 …
 *                                             sets its own limits; `default` puts one back to the platform default
 */
import { loadConfig } from "../shared/config.js";
import { createAppContext } from "../shared/context.js";
import { AppError } from "../shared/errors.js";
import { MAX_LIMIT, limitDescriptions, limitNames, setLimits, type LimitName } from "../shared/limits/limits.js";
import { limitsReport } from "../shared/limits/report.js";
import { createOrganisation, getOrganisation, rotateOrganisationToken } from "../shared/orgs.js";

const flag = (name: LimitName) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
const usage = [
  "usage: npm run org -- create <name>",
  "       npm run org -- rotate-token <organisation id>",
  "       npm run org -- limits <organisation id>",
  `       npm run org -- set-limits <organisation id> [${limitNames.map((n) => `${flag(n)} N|default`).join("] [")}]`,
].join("\n");
const fail = (message: string): never => {
  console.error(`${message}\n${usage}`);
  process.exit(64);
};

const [command, ...rest] = process.argv.slice(2);
const idArg = (s: string | undefined) => {
  const id = Number(s);
  return Number.isInteger(id) && id > 0 && id <= 2_147_483_647 ? id : fail(`not an organisation id: ${s ?? "(none)"}`);
};

/** `--max-tenants 50 --logs-per-minute default` → { maxTenants: 50, logsPerMinute: null }. */
function parseLimitFlags(args: string[]): Partial<Record<LimitName, number | null>> {
  const values: Partial<Record<LimitName, number | null>> = {};
  for (let i = 0; i < args.length; i += 2) {
    const name = limitNames.find((n) => flag(n) === args[i]) ?? fail(`unknown option ${args[i]}`);
    const raw = args[i + 1] ?? fail(`${args[i]} needs a value`);
    const n = Number(raw);
    if (raw === "default") values[name] = null;
    else if (/^\d+$/.test(raw) && n >= 1 && n <= MAX_LIMIT) values[name] = n;
    else fail(`${args[i]} must be a whole number from 1 to ${MAX_LIMIT}, or default`);
  }
  if (Object.keys(values).length === 0) fail("set-limits needs at least one limit");
  return values;
}

if (!["create", "rotate-token", "limits", "set-limits"].includes(command ?? "")) fail(`unknown command ${command ?? "(none)"}`);
const config = loadConfig();
const ctx = createAppContext({ ...config, LOG_LEVEL: "warn" }, "cli");
try {
  if (command === "create") {
    const name = rest.join(" ").trim() || fail("create needs a name");
    const { org, token } = await createOrganisation(ctx.db, name);
    console.log(`organisation ${org.id} "${org.name}" created. Its token, shown only now:\n\n  ${token}\n`);
  } else if (command === "rotate-token") {
    const { org, token } = await rotateOrganisationToken(ctx.db, idArg(rest[0]), { adminToken: config.CONVERGENCE_ADMIN_TOKEN });
    console.log(`organisation ${org.id} "${org.name}" has a new token, shown only now:\n\n  ${token}\n\n` + "The old token and every access token issued from it are refused from now on.");
  } else {
    const orgId = idArg(rest[0]);
    const org = await getOrganisation(ctx.db, orgId);
    if (command === "set-limits") await setLimits(ctx.db, orgId, parseLimitFlags(rest.slice(1)));
    const report = await limitsReport(ctx, orgId);
    const used: Partial<Record<LimitName, number>> = {
      maxTenants: report.usage.liveTenants,
      maxEventStreams: report.usage.eventStreams,
      maxHeldWaits: report.usage.heldWaits,
      maxLogFollows: report.usage.logFollows,
    };
    console.log(`organisation ${org.id} "${org.name}"`);
    for (const name of limitNames) {
      const source = report.overridden.includes(name) ? "own" : "default";
      const now = used[name] !== undefined ? `  (in use: ${used[name]})` : "";
      console.log(`  ${flag(name).slice(2).padEnd(22)} ${String(report.limits[name]).padStart(7)}  ${source.padEnd(7)} ${limitDescriptions[name]}${now}`);
    }
  }
} catch (err) {
  if (!(err instanceof AppError)) throw err;
  console.error(`org: ${err.message}`);
  process.exitCode = 1;
} finally {
  await ctx.close();
}
