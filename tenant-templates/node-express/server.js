// Starter app for a Convergence tenant. The platform injects CONVERGENCE_API_URL,
// CONVERGENCE_API_KEY, CONVERGENCE_ORG_ID, CONVERGENCE_ENV_ID, TENANT_ID and TENANT_NAME; on Swarm the
// key arrives as a secret file named by CONVERGENCE_API_KEY_FILE instead of CONVERGENCE_API_KEY.
import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import express from "express";

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
const app = express();
app.use(express.json({ limit: "64kb" }));

app.get("/health", (_req, res) => res.json({ status: "ok", tenant: env.TENANT_ID }));

app.get("/", (_req, res) => {
  const name = String(env.TENANT_NAME ?? "tenant").replace(/[<>&"]/g, "");
  res.type("html").send(`<!doctype html><title>${name}</title><h1>${name}</h1>
<p>Tenant ${env.TENANT_ID} of organisation ${env.CONVERGENCE_ORG_ID}, running on Convergence.</p>
<p>POST /api/converge {"prompt","agentARole","agentBRole"} to run a convergence (at this public address, with Authorization: Bearer &lt;the tenant's API key&gt;).</p>`);
});

// Forwards to the master with this tenant's own key; the master's status and body pass through.
app.post("/api/converge", async (req, res) => {
  if (req.get(INGRESS_MARKER) !== undefined && !bearerMatchesKey(req.get("authorization"))) {
    return res.status(401).set("www-authenticate", "Bearer").json(keyRequired);
  }
  try {
    const upstream = await fetch(`${env.CONVERGENCE_API_URL}/converge`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
      body: JSON.stringify(req.body ?? {}),
      signal: AbortSignal.timeout(120_000),
    });
    res.status(upstream.status).type(upstream.headers.get("content-type") ?? "application/json");
    for (const h of ["retry-after"]) if (upstream.headers.get(h)) res.set(h, upstream.headers.get(h));
    res.send(Buffer.from(await upstream.arrayBuffer()));
  } catch (err) {
    res.status(502).json({
      success: false,
      error: { code: "UPSTREAM_UNREACHABLE", message: `the Convergence master at ${env.CONVERGENCE_API_URL} could not be reached: ${err.cause?.code ?? err.message}` },
    });
  }
});

app.use((err, _req, res, _next) => {
  res.status(err.status ?? 500).json({ success: false, error: { code: "BAD_REQUEST", message: err.message } });
});

const port = Number(env.PORT ?? 3000);
const server = app.listen(port, "0.0.0.0", () => console.log(`${env.TENANT_ID} (${env.TENANT_NAME}) listening on ${port}`));
for (const sig of ["SIGTERM", "SIGINT"]) process.on(sig, () => server.close(() => process.exit(0)));
