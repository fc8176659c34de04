/**
 * `convergence token create --scope tenants:read [--tenant 12] [--ttl 600]`: a short-lived access
 * token (JWT) limited to some scopes and tenants, for a job or a pipeline that should not hold
 * the organisation token. Printed once; revoked with the organisation token.
 */
import type { AccessTokenScope } from "@convergence/sdk";
import { type Command, InvalidArgumentError } from "commander";
import { positiveInt, tenantId } from "../args.js";
import { action } from "../cli.js";
import { time } from "../format.js";

const scopes: AccessTokenScope[] = ["tenants:read", "tenants:write", "usage:read"];

const collect =
  <T>(parse: (value: string) => T) =>
  (value: string, previous: T[] = []): T[] => [...previous, ...value.split(",").map((v) => parse(v.trim()))];

function scope(value: string): AccessTokenScope {
  if (!(scopes as string[]).includes(value)) throw new InvalidArgumentError(`unknown scope ${value}; one of ${scopes.join(", ")}`);
  return value as AccessTokenScope;
}

export function registerToken(program: Command) {
  const token = program.command("token").description("short-lived access tokens (JWTs) with fewer rights than the organisation token");
  token
    .command("create")
    .description("issue an access token; needs the organisation token")
    .option("--scope <scope>", `what it may do, repeatable or comma-separated: ${scopes.join(", ")} (default: all)`, collect(scope))
    .option("--tenant <id>", "only this tenant, repeatable or comma-separated: 12 or tenant_12 (default: all)", collect(tenantId))
    .option("--ttl <seconds>", "lifetime in seconds (default and maximum: the platform's)", positiveInt())
    .action(
      action(async (cli, flags: { scope?: AccessTokenScope[]; tenant?: number[]; ttl?: number }) => {
        const issued = await (await cli.client()).accessTokens.create({ scopes: flags.scope, tenants: flags.tenant, ttlSeconds: flags.ttl, signal: cli.signal });
        cli.result(issued, () =>
          [
            issued.token,
            "",
            `scopes   ${issued.scopes.join(", ")}`,
            `tenants  ${issued.tenants ? issued.tenants.map((t) => `tenant_${t}`).join(", ") : "all"}`,
            `expires  ${time(issued.expiresAt)} UTC (in ${issued.expiresIn} s)`,
          ].join("\n"),
        );
      }),
    );
}
