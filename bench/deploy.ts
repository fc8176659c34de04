/**
 * `npm run bench:deploy [ROUNDS]` (default 5): deploy→live of a small Node app (tests/fixtures/deploy-app,
 * no dependencies) through the API, as a client sees it (POST the archive, then `?wait=live`), next
 * to a plain `docker build` + `docker run` of the same app on the same engine, polled on /health
 * until its first 200: the same run, interleaved round by round. Also the host port's gap per
 * deploy (from the deployment's log: the old container removed → the new one answering on it) and
 * the failed requests a client sending GET /health without pause through the tenant's HTTPS
 * hostname saw (it must be 0). The platform's deploy→live includes its two drains
 * (DEPLOY_DRAIN_MS each, 2 s by default: the old container, then the side container, keep serving
 * requests in flight) and the three health checks in a row, twice.
 */
import Docker from "dockerode";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import tarStream from "tar-stream";
import { parseConfig, projectRoot } from "../shared/config.js";
import { appDockerfile } from "../shared/deploys/build.js";
import { httpsGet } from "../tests/helpers/https.js";
import { freePort, waitFor, waitForStatus } from "../tests/helpers/stack.js";
import { benchStack } from "./stack.js";
import { summarise, table } from "./stats.js";

const ROUNDS = Number(process.argv[2] ?? 5);
const fixtureDir = join(projectRoot, "tests", "fixtures", "deploy-app");

/** The fixture as a tar (with `dockerfile`: a build context, the app under app/). */
async function tarOf(version: string, dockerfile?: string): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  pack.on("data", (c: Buffer) => chunks.push(c));
  const ended = new Promise((r) => pack.on("end", r));
  for (const name of readdirSync(fixtureDir)) {
    const content = name === "version.json" ? JSON.stringify({ name: version }) : readFileSync(join(fixtureDir, name));
    pack.entry({ name: dockerfile ? `app/${name}` : name }, content);
  }
  if (dockerfile) pack.entry({ name: "Dockerfile" }, dockerfile);
  pack.finalize();
  await ended;
  return Buffer.concat(chunks);
}

const stack = await benchStack("deploybench", { ORG_DEPLOYS_PER_MINUTE: "1000" }, { workers: 1 });
const config = parseConfig(stack.env);
const docker = new Docker({ socketPath: config.DOCKER_SOCKET });
let envId: number | undefined;
let token = "";
try {
  ({ token } = await stack.newOrg("deploybench"));
  const spawned = await stack.api("/api/v1/tenant/spawn", { token, body: { name: "bench", language: "node", framework: "express" } });
  envId = spawned.body.tenant.envId as number;
  const ready = await waitForStatus(stack, token, envId, ["ready"], 180_000);
  const ca = ((await (await fetch(`${config.CADDY_ADMIN_URL}/pki/ca/local`)).json()) as { root_certificate: string }).root_certificate;
  await waitFor(async () => (await httpsGet(`${ready.url}/health`, ca).catch(() => null))?.status === 200, { timeoutMs: 60_000, what: "the tenant through the ingress" });

  const platform: number[] = [];
  const baseline: number[] = [];
  const gaps: number[] = [];
  let failedRequests = 0;
  let requests = 0;
  const dockerfile = appDockerfile({ baseImage: config.TENANT_BASE_IMAGE, builderImage: null, checked: { command: ["node", "server.js"], hasLockfile: false }, containerPort: 3000 });

  for (let round = 0; round <= ROUNDS; round++) {
    const warmUp = round === 0;
    // The platform: POST the archive, wait for live, with a client on the HTTPS hostname meanwhile.
    const archive = gzipSync(await tarOf(`r${round}`));
    let stop = false;
    const client = (async () => {
      while (!stop) {
        requests++;
        const r = await httpsGet(`${ready.url}/health`, ca, 10_000).catch(() => null);
        if (r?.status !== 200) failedRequests++;
      }
    })();
    const began = performance.now();
    const res = await fetch(`${stack.url}/api/v1/tenant/${envId}/deployments`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/gzip" },
      body: new Uint8Array(archive),
    });
    const { deployment } = (await res.json()) as { deployment: { revision: number } };
    const done = await waitFor(
      async () => {
        const r = await stack.api(`/api/v1/tenant/${envId}/deployments/${deployment.revision}?wait=live&timeout=30`, { token, timeoutMs: 40_000 });
        return ["live", "failed"].includes(r.body.deployment.status) ? r.body.deployment : null;
      },
      { timeoutMs: 300_000, intervalMs: 10 },
    );
    const ms = performance.now() - began;
    stop = true;
    await client;
    if (done.status !== "live") throw new Error(`revision ${deployment.revision} ${done.status}: ${done.error}`);
    const log = (await stack.api(`/api/v1/tenant/${envId}/deployments/${deployment.revision}/logs`, { token })).body.log as string;
    const gap = Number(/refused for (\d+) ms/.exec(log)?.[1] ?? Number.NaN);

    // The floor: docker build + docker run of the same app, until its first 200 on /health.
    const port = await freePort();
    const tag = `convergence-bench-deploy-floor:r${round}`;
    const name = `convergence-bench-deploy-floor-${round}`;
    const floorBegan = performance.now();
    const stream = await docker.buildImage(
      (await tarOf(`f${round}`, dockerfile)) as unknown as NodeJS.ReadableStream,
      { t: tag, rm: true, forcerm: true, pull: false } as Docker.ImageBuildOptions,
    );
    await new Promise((resolve, reject) => docker.modem.followProgress(stream, (err, out) => (err ? reject(err) : resolve(out))));
    const c = await docker.createContainer({
      name,
      Image: tag,
      HostConfig: { PortBindings: { "3000/tcp": [{ HostIp: "127.0.0.1", HostPort: String(port) }] } },
      ExposedPorts: { "3000/tcp": {} },
    });
    await c.start();
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => null))?.status === 200, { timeoutMs: 60_000, intervalMs: 10 });
    const floorMs = performance.now() - floorBegan;
    await c.remove({ force: true });
    await docker.getImage(tag).remove({ force: true });

    if (!warmUp) {
      platform.push(ms);
      baseline.push(floorMs);
      gaps.push(gap);
    }
  }
  const p = summarise(platform);
  const b = summarise(baseline);
  const g = summarise(gaps.filter((x) => Number.isFinite(x)));
  console.log(
    table([
      { path: "platform deploy→live (POST .tar.gz → live)", n: platform.length, p50_ms: Math.round(p.p50), p99_ms: Math.round(p.p99) },
      { path: "docker build + docker run → first 200", n: baseline.length, p50_ms: Math.round(b.p50), p99_ms: Math.round(b.p99) },
      { path: "host port refused during a switch", n: gaps.length, p50_ms: Math.round(g.p50), p99_ms: Math.round(g.p99) },
    ]),
  );
  console.log(
    `deploy→live p50 ${Math.round(p.p50)} ms vs docker build+run p50 ${Math.round(b.p50)} ms: ratio ${(p.p50 / b.p50).toFixed(2)}× (DEPLOY_DRAIN_MS=${config.DEPLOY_DRAIN_MS}, twice per deploy)`,
  );
  console.log(`client through the HTTPS hostname during ${ROUNDS + 1} deploys: ${requests} requests, ${failedRequests} failed`);
} finally {
  if (envId) {
    await stack.api(`/api/v1/tenant/${envId}`, { method: "DELETE", token }).catch(() => {});
    await waitForStatus(stack, token, envId, ["destroyed"], 60_000).catch(() => {});
  }
  await stack.stop();
}
