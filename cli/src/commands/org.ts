/**
 * `convergence org show`: the organisation, its limits (and which are set for it rather than the
 * platform's defaults) and what it uses of them now. `convergence org rotate-token`: a new
 * organisation token; the old one and every access token from it stop working at once. The
 * stored context is updated with the new token, which is printed this once for other machines.
 */
import type { Command } from "commander";
import { action } from "../cli.js";
import { readConfig, writeConfig } from "../config.js";
import { count, table } from "../format.js";

/** Each limit next to the usage that counts against it (limits without a live count are rates). */
const usageOf = { maxTenants: "liveTenants", maxEventStreams: "eventStreams", maxHeldWaits: "heldWaits", maxLogFollows: "logFollows" } as const;

export function registerOrg(org: Command) {
  org
    .command("show")
    .description("your organisation: its limits and what it uses of them now")
    .action(
      action(async (cli) => {
        const info = await (await cli.client()).org.get({ signal: cli.signal });
        cli.result(info, () => {
          const rows = Object.entries(info.limits).map(([limit, value]) => {
            const key = usageOf[limit as keyof typeof usageOf];
            const used = key ? info.usage[key] : undefined;
            const full = used !== undefined && used >= value;
            return [limit, used === undefined ? "" : full ? cli.out.red(count(used)) : count(used), count(value), (info.overridden as string[]).includes(limit) ? "organisation" : "default"];
          });
          return [`Organisation ${info.organisation.id} (${info.organisation.name})`, "", table(["LIMIT", "USED", "MAX", "SET BY"], rows)].join("\n");
        });
      }),
    );

  org
    .command("rotate-token")
    .description("replace the organisation token: the old one and its access tokens stop working at once; the new one is stored and shown once")
    .action(
      action(async (cli) => {
        const { context, tokenFrom, url } = await cli.credentials();
        const { token, prefix } = await (await cli.client()).org.rotateToken({ signal: cli.signal });
        let stored: string | null = null;
        if (tokenFrom === "context" && context && url) {
          const config = await readConfig();
          await writeConfig({ ...config, contexts: { ...config.contexts, [context]: { url: config.contexts[context]?.url ?? url, token } } });
          stored = context;
        }
        cli.result({ success: true, token, prefix, storedInContext: stored }, () =>
          [
            `${cli.out.green("✓")} New organisation token, shown only now (the old one is refused from now on):`,
            `  ${token}`,
            stored ? `Stored in context ${stored}.` : "Not stored: the token came from CONVERGENCE_TOKEN; update it wherever it is set.",
          ].join("\n"),
        );
      }),
    );
}
