/**
 * The platform and its Node tenants run a maintained Node.js: 22 or later (20 reached its end of
 * life in April 2026). The API's Node.js is read where an operator reads it, its operations
 * listener's /metrics (nodejs_version_info), and a tenant's inside its running container.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parsePrometheusText } from "./helpers/prometheus.js";
import { TEST_CONTAINER_PREFIX, execIn, spawnViaApi, startStack, waitForStatus, type Stack } from "./helpers/stack.js";

const MAINTAINED_MAJOR = 22;

let stack: Stack;
let org: { id: number; token: string };

beforeAll(async () => {
  stack = await startStack("node-version");
  org = await stack.newOrg();
});
afterAll(async () => {
  await stack?.stop();
});

describe("a maintained Node.js", () => {
  it("the running API reports Node.js 22 or later on its operations /metrics", async () => {
    const metrics = parsePrometheusText(await (await fetch(`${stack.opsUrl}/metrics`)).text());
    const version = metrics.get("nodejs_version_info")?.samples[0]?.labels;
    expect(version, "nodejs_version_info on the API's /metrics").toBeDefined();
    expect(Number(version!.major), `the API runs Node.js ${version!.version}`).toBeGreaterThanOrEqual(MAINTAINED_MAJOR);
  });

  it("a spawned Node tenant runs Node.js 22 or later", async () => {
    const res = await spawnViaApi(stack, org.token, { name: "node-version", language: "node", framework: "express" });
    expect(res.status).toBe(202);
    const envId = res.body.tenant.envId as number;
    expect((await waitForStatus(stack, org.token, envId, ["ready", "failed"])).status).toBe("ready");
    const version = (await execIn(stack.docker, `${TEST_CONTAINER_PREFIX}${envId}`, ["node", "-p", "process.versions.node"])).trim();
    expect(Number(version.split(".")[0]), `the tenant runs Node.js ${version}`).toBeGreaterThanOrEqual(MAINTAINED_MAJOR);
  });
});
