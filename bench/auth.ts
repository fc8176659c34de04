/**
 * `npm run bench:auth [requests] [concurrency]`: what authentication costs per request, organisation
 * token against access token (JWT), side by side in the same run:
 *
 * 1. in process, the credential check alone: the organisation-token lookup (one prepared query)
 *    against access-token verification, both for a token seen before (memory only) and for a new
 *    token each time (ES256 signature and claims checked);
 * 2. over HTTP, GET /api/v1/tenant/:id/status with each credential (keep-alive client), with
 *    /healthz (no auth, no query) as the floor.
 */
import http from "node:http";
import { startAuthServices } from "../shared/auth/services.js";
import { createAppContext } from "../shared/context.js";
import { authenticateOrganisation } from "../shared/orgs.js";
import { benchStack } from "./stack.js";
import { summarise, table } from "./stats.js";

const REQUESTS = Number(process.argv[2] ?? 3000);
const CONCURRENCY = Number(process.argv[3] ?? 1);
const ROUNDS = 3;

async function load(n: number, concurrency: number, fn: (i: number) => Promise<void>) {
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < n; i = next++) {
        const s = performance.now();
        await fn(i);
        latencies.push(performance.now() - s);
      }
    }),
  );
  return { rps: (n / (performance.now() - t0)) * 1000, latencies };
}

/** Alternating rounds, so a burst of noise on a shared machine hits every variant alike. */
async function compare(variants: Record<string, (i: number) => Promise<void>>, n: number, concurrency: number) {
  const acc = Object.fromEntries(Object.keys(variants).map((k) => [k, { rps: 0, latencies: [] as number[] }]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, fn] of Object.entries(variants)) {
      const res = await load(n, concurrency, fn);
      acc[name]!.rps += res.rps / ROUNDS;
      acc[name]!.latencies.push(...res.latencies);
    }
  }
  return Object.entries(acc).map(([name, a]) => {
    const s = summarise(a.latencies);
    return { variant: name, "per s": Math.round(a.rps), "p50 ms": s.p50, "p99 ms": s.p99 };
  });
}

const stack = await benchStack("bench-auth", {}, { workers: 0 });
const ctx = createAppContext(stack.config, "api");
const auth = await startAuthServices(ctx);
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
try {
  const org = await stack.newOrg("bench-auth");
  const spawned = await stack.api("/api/v1/tenant/spawn", { token: org.token, body: { name: "bench", language: "node", framework: "express" } });
  if (spawned.status !== 202) throw new Error(`spawn failed: ${JSON.stringify(spawned.body)}`);
  const envId: number = spawned.body.tenant.envId;
  const mint = async () => {
    const res = await stack.api("/api/v1/auth/token", { token: org.token, body: { scopes: ["tenants:read"] } });
    if (res.status !== 200) throw new Error(`token: ${JSON.stringify(res.body)}`);
    return res.body.token as string;
  };
  const jwt = await mint();
  const fresh: string[] = [];
  for (let i = 0; i < REQUESTS * ROUNDS + 200; i++) fresh.push(await mint());
  let nextFresh = 0;

  const inProcess = {
    "organisation token (1 query)": async () => {
      if (!(await authenticateOrganisation(ctx.db, org.token))) throw new Error("org token refused");
    },
    "access token, seen before": async () => {
      if (!(await auth.accessTokens.verify(jwt)).ok) throw new Error("jwt refused");
    },
    "access token, first sight (signature)": async () => {
      if (!(await auth.accessTokens.verify(fresh[nextFresh++]!)).ok) throw new Error("fresh jwt refused");
    },
  };
  for (const fn of Object.values(inProcess)) for (let i = 0; i < 100; i++) await fn(); // warm up
  const inProcessRows = await compare(inProcess, REQUESTS, 1);

  const { port } = new URL(stack.url);
  const get = (path: string, token?: string) => () =>
    new Promise<void>((resolve, reject) => {
      const req = http.request({ host: "127.0.0.1", port, path, agent, headers: token ? { authorization: `Bearer ${token}` } : {} }, (res) => {
        res.resume();
        res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`${path} answered ${res.statusCode}`))));
      });
      req.on("error", reject);
      req.end();
    });
  const status = `/api/v1/tenant/${envId}/status`;
  const overHttp = {
    "status, organisation token": get(status, org.token),
    "status, access token": get(status, jwt),
    "/healthz (no auth, no query)": get("/healthz"),
  };
  for (const fn of Object.values(overHttp)) for (let i = 0; i < 200; i++) await fn();
  const httpRows = await compare(overHttp, REQUESTS, CONCURRENCY);

  console.log(`\nCredential check in process: ${ROUNDS} alternating rounds × ${REQUESTS}, one at a time\n`);
  console.log(table(inProcessRows));
  console.log(`\nGET ${status} over HTTP: ${ROUNDS} alternating rounds × ${REQUESTS}, concurrency ${CONCURRENCY}, keep-alive\n`);
  console.log(table(httpRows));
  const [org50, jwt50] = [httpRows[0]!["p50 ms"] as number, httpRows[1]!["p50 ms"] as number];
  console.log(
    `\naccess token vs organisation token over HTTP: p50 ${(org50 - jwt50).toFixed(3)} ms less per request, ${((httpRows[1]!["per s"] as number) / (httpRows[0]!["per s"] as number)).toFixed(2)}× the throughput`,
  );
} finally {
  agent.destroy();
  await auth.close();
  await ctx.close();
  await stack.stop();
}
