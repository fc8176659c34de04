// Starter app for a Convergence tenant, on Bun and Hono. The platform injects CONVERGENCE_API_URL,
// CONVERGENCE_API_KEY, CONVERGENCE_ORG_ID, CONVERGENCE_ENV_ID, TENANT_ID and TENANT_NAME; on Swarm the
// key arrives as a secret file named by CONVERGENCE_API_KEY_FILE instead of CONVERGENCE_API_KEY.
import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { Hono } from "hono";
import { html } from "hono/html";

const env = process.env;
const apiKey = env.CONVERGENCE_API_KEY_FILE ? readFileSync(env.CONVERGENCE_API_KEY_FILE, "utf8").trim() : env.CONVERGENCE_API_KEY;

// Calls that came through the public ingress (https://<name>-<envId>.<domain>) carry this header,
// which the ingress sets itself over anything a client sent: they must bring this tenant's API key
// (Authorization: Bearer …), or anyone who guessed the hostname would spend the tenant's quota.
// Calls on the container's own port (the host's loopback port) are the owner's and need none.
const INGRESS_MARKER = "x-convergence-ingress";
const digest = (s) => createHash("sha256").update(s).digest();
const expectedKey = digest(apiKey ?? "");
function bearerMatchesKey(authorization) {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  // Compared as fixed-length digests, in constant time.
  return Boolean(m && apiKey) && timingSafeEqual(digest(m[1]), expectedKey);
}
const keyRequired = {
  success: false,
  error: { code: "UNAUTHORIZED", message: "calls through the public hostname need Authorization: Bearer <this tenant's API key>" },
};
const app = new Hono();

app.get("/health", (c) => c.json({ status: "ok", tenant: env.TENANT_ID }));

app.get("/", (c) =>
  c.html(html`<!doctype html><title>${env.TENANT_NAME}</title><h1>${env.TENANT_NAME}</h1>
<p>Tenant ${env.TENANT_ID} of organisation ${env.CONVERGENCE_ORG_ID}, running on Convergence (Bun, Hono).</p>`),
);

// Forwards to the master with this tenant's own key; the master's status and body pass through.
app.post("/api/converge", async (c) => {
  if (c.req.header(INGRESS_MARKER) !== undefined && !bearerMatchesKey(c.req.header("authorization"))) {
    return c.json(keyRequired, 401, { "www-authenticate": "Bearer" });
  }
  try {
    const upstream = await fetch(`${env.CONVERGENCE_API_URL}/converge`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
      body: await c.req.text(),
      signal: AbortSignal.timeout(120_000),
    });
    const headers = { "content-type": upstream.headers.get("content-type") ?? "application/json" };
    if (upstream.headers.get("retry-after")) headers["retry-after"] = upstream.headers.get("retry-after");
    return new Response(upstream.body, { status: upstream.status, headers });
  } catch (err) {
    return c.json(
      { success: false, error: { code: "UPSTREAM_UNREACHABLE", message: `the Convergence master at ${env.CONVERGENCE_API_URL} could not be reached: ${err.cause?.code ?? err.code ?? err.message}` } },
      502,
    );
  }
});

const server = Bun.serve({ fetch: app.fetch, port: Number(env.PORT ?? 3000), hostname: "0.0.0.0" });
console.log(`${env.TENANT_ID} (${env.TENANT_NAME}) listening on ${server.port}`);
for (const sig of ["SIGTERM", "SIGINT"]) process.on(sig, () => server.stop().then(() => process.exit(0)));
