/**
 * The platform keeps its promises unattended: health sweeps, restarts with crash-loop back-off,
 * the reconciler (missing containers, orphans), and recovery after Redis loses every job.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Webhook } from "standardwebhooks";
import tar from "tar-fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jobs } from "../shared/jobs.js";
import { DockerRuntime } from "../shared/runtime/docker/index.js";
import { labelKeys } from "../shared/runtime/types.js";
import { TemplateRegistry } from "../shared/templates.js";
import { getTenant } from "../shared/tenants/queries.js";
import { parsePrometheusText, sampleValue } from "./helpers/prometheus.js";
import { startReceiver } from "./helpers/receiver.js";
import { TEST_CONTAINER_PREFIX, TEST_OWNER, deleteKeys, execIn, freePort, ownedContainers, spawnViaApi, startStack, waitFor, waitForStatus, type Stack } from "./helpers/stack.js";

let stack: Stack;
let org: { id: number; token: string };
let secret: string;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let workerMetricsPort: number;

beforeAll(async () => {
  workerMetricsPort = await freePort();
  stack = await startStack("healing", {
    WORKER_METRICS_PORT: String(workerMetricsPort),
    WORKER_METRICS_HOST: "127.0.0.1",
    HEALTH_INTERVAL_MS: "700",
    HEALTH_FAILURE_THRESHOLD: "2",
    HEALTH_RESTART_BACKOFF_MS: "700",
    HEALTH_MAX_RESTARTS: "2",
    RECONCILE_INTERVAL_MS: "1000",
    ORPHAN_GRACE_MS: "2000",
    WEBHOOK_ALLOWED_HOSTS: "127.0.0.1",
    WEBHOOK_BACKOFF_MS: "200",
  });
  org = await stack.newOrg("healing");
  const rotated = await stack.api("/api/v1/webhooks/secret/rotate", { method: "POST", token: org.token });
  expect(rotated.status).toBe(200);
  secret = rotated.body.secret;
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await stack?.stop();
});

async function destroy(envId: number) {
  await stack.api(`/api/v1/tenant/${envId}`, { method: "DELETE", token: org.token });
  await waitForStatus(stack, org.token, envId, ["destroyed"]);
}

/** Health sweeps the worker has completed so far, from its own /metrics. */
async function sweepsDone(): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${workerMetricsPort}/metrics`)).text();
  const labels = { queue: jobs.healthSweep.queue, name: jobs.healthSweep.name, outcome: "completed" };
  return sampleValue(parsePrometheusText(text), "convergence_job_duration_seconds_count", labels) ?? 0;
}

function verified(envId: number, type: string) {
  const wh = new Webhook(secret);
  return receiver.events().filter((e) => {
    if (e.json.type !== type || e.json.data.envId !== envId) return false;
    wh.verify(e.body, e.headers as Record<string, string>); // throws on a bad signature
    return true;
  });
}

describe("self-healing", () => {
  it("a killed container makes the tenant unhealthy, is restarted, and the tenant is ready again, with signed webhooks", async () => {
    const res = await spawnViaApi(stack, org.token, { name: "killme", webhookUrl: receiver.url });
    const { envId } = res.body.tenant;
    await waitForStatus(stack, org.token, envId, ["ready"]);
    await stack.docker.getContainer(`${TEST_CONTAINER_PREFIX}${envId}`).kill();

    await waitForStatus(stack, org.token, envId, ["unhealthy"], 30_000);
    const back = await waitForStatus(stack, org.token, envId, ["ready"], 60_000);
    expect(back.health.restartCount).toBeGreaterThanOrEqual(1);
    expect(back.health.lastCheckAt).not.toBeNull();
    await waitFor(async () => verified(envId, "tenant.recovered").length > 0, { what: "tenant.recovered webhook" });
    expect(verified(envId, "tenant.unhealthy")).toHaveLength(1);
    expect(verified(envId, "tenant.recovered")).toHaveLength(1);
    await destroy(envId);
  });

  it("a tenant that crashes on every start backs off, is reported failed, tenant.failed is delivered, and the restarts stop", async () => {
    const res = await spawnViaApi(stack, org.token, { name: "crashy", framework: "crashy", webhookUrl: receiver.url });
    const { envId } = res.body.tenant;
    const failed = await waitForStatus(stack, org.token, envId, ["failed"], 150_000);
    expect(failed.error).toMatch(/crash loop/);
    expect(failed.health.restartCount).toBeGreaterThanOrEqual(2);
    await waitFor(async () => verified(envId, "tenant.failed").length > 0, { what: "tenant.failed webhook" });

    // The restarts stop: a failed tenant keeps no container, and three more sweeps restart nothing.
    expect(await ownedContainers(stack, envId)).toEqual([]);
    const count = (await getTenant(stack.db, envId))!.restartCount;
    const after = (await sweepsDone()) + 3;
    await waitFor(async () => (await sweepsDone()) >= after, { timeoutMs: 30_000, what: "three more health sweeps" });
    expect((await getTenant(stack.db, envId))!.restartCount).toBe(count);
    expect(await ownedContainers(stack, envId)).toEqual([]);
    await destroy(envId);
  });

  it("a container removed behind the platform's back is re-created with the same port and key", async () => {
    const res = await spawnViaApi(stack, org.token, { name: "removed" });
    const { envId, port, apiKey } = res.body.tenant;
    await waitForStatus(stack, org.token, envId, ["ready"]);
    const name = `${TEST_CONTAINER_PREFIX}${envId}`;
    const before = (await stack.docker.getContainer(name).inspect()).Id;
    await stack.docker.getContainer(name).remove({ force: true });

    await waitFor(
      async () => {
        const c = await stack.docker
          .getContainer(name)
          .inspect()
          .catch(() => null);
        return c && c.Id !== before && c.State.Running;
      },
      { timeoutMs: 60_000, what: "the container to be re-created" },
    );
    const ready = await waitForStatus(stack, org.token, envId, ["ready"], 60_000);
    expect(ready.port).toBe(port);
    const env = JSON.parse(await execIn(stack.docker, name, ["node", "-e", "console.log(JSON.stringify(process.env))"]));
    expect(env.CONVERGENCE_API_KEY).toBe(apiKey);
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    await destroy(envId);
  });

  it("a container with the owner labels and no tenant is removed; containers started by hand from template images are left alone past the grace period", async () => {
    // The template image as the platform builds it now: it names its template and claims no ownership.
    const runtime = new DockerRuntime({ socketPath: stack.config.DOCKER_SOCKET, owner: TEST_OWNER });
    const image = await runtime.ensureImage(new TemplateRegistry(stack.config.TEMPLATES_DIR).get("node", "express")!, stack.config.TENANT_BASE_IMAGE);
    const imageLabels = (await stack.docker.getImage(image).inspect()).Config.Labels ?? {};
    expect(imageLabels[labelKeys.imageTemplate]).toBe("node/express");
    for (const key of [labelKeys.owner, labelKeys.envId, labelKeys.orgId]) expect(imageLabels, key).not.toHaveProperty(key);
    // An image as the platform used to build them, with this stack's owner label on it: every
    // container started from it inherits that label.
    const oldImage = `cvgtest-old-template-image:${process.pid}`;
    await buildLabelledImage(stack, image, oldImage, { [labelKeys.owner]: TEST_OWNER, [labelKeys.template]: "node/express" });

    const cmd = ["node", "-e", "setInterval(() => {}, 1000)"];
    const byHand = [
      await stack.docker.createContainer({ name: `cvgtest-bystander-${process.pid}`, Image: image, Cmd: cmd }),
      await stack.docker.createContainer({ name: `cvgtest-bystander-old-${process.pid}`, Image: oldImage, Cmd: cmd }),
    ];
    // Created after the ones by hand, so once it is gone they have been past the grace period too.
    const orphan = await stack.docker.createContainer({
      name: `${TEST_CONTAINER_PREFIX}orphan-${process.pid}`,
      Image: image,
      Cmd: cmd,
      Labels: { [labelKeys.owner]: TEST_OWNER, [labelKeys.envId]: "999999" },
    });
    // One the platform created from an old image (its own env-id label): still the platform's.
    const oldOrphan = await stack.docker.createContainer({
      name: `${TEST_CONTAINER_PREFIX}orphan-old-${process.pid}`,
      Image: oldImage,
      Cmd: cmd,
      Labels: { [labelKeys.owner]: TEST_OWNER, [labelKeys.envId]: "999998" },
    });
    for (const c of [...byHand, orphan, oldOrphan]) await c.start();
    try {
      expect((await byHand[1]!.inspect()).Config.Labels[labelKeys.owner], "the old image's label is inherited").toBe(TEST_OWNER);
      await waitFor(async () => (await orphan.inspect().catch(() => null)) === null && (await oldOrphan.inspect().catch(() => null)) === null, {
        timeoutMs: 30_000,
        what: "the orphans to be removed",
      });
      // Another full grace period and reconcile round later, the ones started by hand still run.
      const later = await stack.docker.createContainer({
        name: `${TEST_CONTAINER_PREFIX}orphan-later-${process.pid}`,
        Image: image,
        Cmd: cmd,
        Labels: { [labelKeys.owner]: TEST_OWNER, [labelKeys.envId]: "999997" },
      });
      await later.start();
      await waitFor(async () => (await later.inspect().catch(() => null)) === null, { timeoutMs: 30_000, what: "the later orphan to be removed" });
      for (const c of byHand) expect((await c.inspect()).State.Running).toBe(true);
    } finally {
      for (const c of [...byHand, orphan, oldOrphan]) await c.remove({ force: true }).catch(() => {});
      await stack.docker
        .getImage(oldImage)
        .remove({ force: true })
        .catch(() => {});
    }
  });

  it("after Redis loses every job, pending tenants still all reach ready", async () => {
    // Stop the worker, spawn, and wipe Redis: the jobs are gone, only Postgres knows.
    await stack.stopWorkers();
    try {
      const spawned = await Promise.all([0, 1, 2].map((i) => spawnViaApi(stack, org.token, { name: `lost-${i}` })));
      const ids: number[] = spawned.map((r) => r.body.tenant.envId);
      await wipeRedis(stack);
      stack.startWorker();
      // And once more with the worker running, right after the spawns.
      const more = await Promise.all([3, 4].map((i) => spawnViaApi(stack, org.token, { name: `lost-${i}` })));
      await wipeRedis(stack);
      ids.push(...more.map((r) => r.body.tenant.envId));

      const ready = await Promise.all(ids.map((id) => waitForStatus(stack, org.token, id, ["ready", "failed"], 120_000)));
      expect(ready.map((t) => t.status)).toEqual(Array(ids.length).fill("ready"));
      for (const id of ids) await destroy(id);
    } finally {
      if (stack.runningWorkers() === 0) stack.startWorker(); // the other tests need one
    }
  });
});

/** Builds `tag` from `from` with extra labels (LABEL needs no shell in the image). */
async function buildLabelledImage(stack: Stack, from: string, tag: string, labels: Record<string, string>) {
  const dockerfile = `FROM ${from}\nLABEL ${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(" ")}\n`;
  const context = tar.pack(mkdtempSync(join(tmpdir(), "cvg-image-")), {
    finalize: false,
    finish: (pack) => {
      pack.entry({ name: "Dockerfile" }, dockerfile);
      pack.finalize();
    },
  });
  const stream = await stack.docker.buildImage(context, { t: tag, pull: false, rm: true });
  const output: Array<{ error?: string }> = await new Promise((resolve, reject) => stack.docker.modem.followProgress(stream, (err, res) => (err ? reject(err) : resolve(res))));
  const failed = output.find((o) => o.error);
  if (failed) throw new Error(`building ${tag}: ${failed.error}`);
}

/**
 * Everything this stack had in Redis (its jobs, schedules, locks, quota counters) is gone, as
 * after a Redis restart without persistence. Only the stack's own keys: the Redis is shared.
 */
const wipeRedis = (stack: Stack) => deleteKeys(stack.redis, stack.env.QUEUE_PREFIX!);
