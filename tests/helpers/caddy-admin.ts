/** Finding what test stacks left in a Caddy: their servers are named `cvg:<INGRESS_NAME>:https|http`. */
import { CaddyIngress } from "../../shared/ingress/caddy/index.js";

/** Removes the servers (and so the routes) of every ingress name starting with `prefix`. */
export async function removeIngressServers(adminUrl: string, prefix: string): Promise<string[]> {
  const res = await fetch(new URL("/config/apps/http/servers", adminUrl));
  const servers = res.ok ? (((await res.json()) as Record<string, unknown> | null) ?? {}) : {};
  const names = [
    ...new Set(
      Object.keys(servers)
        .map((id) => /^cvg:(.+):(https|http)$/.exec(id)?.[1])
        .filter((n): n is string => n?.startsWith(prefix) === true),
    ),
  ];
  for (const name of names) {
    await new CaddyIngress({ adminUrl, owner: name, domain: "localhost", httpsPort: 443, httpPort: 0 }).removeAll();
  }
  return names;
}
