/**
 * The floor for `npm run bench:status`: a bare Hono app on @hono/node-server with one postgres.js
 * pool (postgres.js's default size, 10), and nothing else: no logging, metrics, auth or
 * validation. `GET /hello` answers what /healthz answers; `GET /status/:id` runs the status
 * endpoint's query (`select … from tenants where env_id = $1 and org_id = $2`) and answers the row.
 *
 *   PORT=… DATABASE_URL=… ORG_ID=… node --import tsx bench/bare-server.ts
 */
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import postgres from "postgres";

const sql = postgres(process.env.DATABASE_URL!);
const orgId = Number(process.env.ORG_ID);
const app = new Hono();
app.get("/hello", (c) => c.json({ success: true, status: "ok" }));
app.get("/status/:id", async (c) => {
  const [tenant] = await sql`select * from tenants where env_id = ${Number(c.req.param("id"))} and org_id = ${orgId}`;
  return tenant ? c.json({ success: true, tenant }) : c.json({ success: false }, 404);
});
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: "127.0.0.1" }, () => console.log("listening"));
process.on("SIGTERM", () => void sql.end({ timeout: 1 }).then(() => process.exit(0)));
