import { benchStack } from "./stack.js";
const stack = await benchStack("probe", { LLM_BASE_URL: "" }, { workers: 0 });
const org = await stack.newOrg("p");
const sp = await stack.api("/api/v1/tenant/spawn", { token: org.token, body: { name: "bench", language: "node", framework: "express" } });
const key = sp.body.tenant.apiKey;
async function time(label: string, fn: () => Promise<unknown>) {
  for (let i = 0; i < 100; i++) await fn();
  const t0 = performance.now();
  for (let i = 0; i < 300; i++) await fn();
  console.log(label, ((performance.now() - t0) / 300).toFixed(2), "ms");
}
await time("healthz", () => fetch(stack.url + "/healthz").then((r) => r.arrayBuffer()));
await time("status", () => fetch(stack.url + `/api/v1/tenant/${sp.body.tenant.envId}/status`, { headers: { authorization: `Bearer ${org.token}` } }).then((r) => r.arrayBuffer()));
await time("converge-bad-body", () => fetch(stack.url + "/api/v1/converge", { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: "{}" }).then((r) => r.arrayBuffer()));
await time("converge", () => fetch(stack.url + "/api/v1/converge", { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify({ prompt: "x", agentARole: "a", agentBRole: "b" }) }).then((r) => r.arrayBuffer()));
await time("db select", () => stack.sql`select 1`);
await time("db insert", () => stack.sql`insert into convergence_calls (org_id, env_id, outcome, http_status, latency_ms) values (${org.id}, ${sp.body.tenant.envId}, 'ok', 200, 1)`);
await stack.stop();
