/**
 * Where a tenant runs, as DockerRuntime reports it: one engine, so `node` is this engine's host and
 * `address` the published bind address and port (SwarmRuntime reports the task's node; see
 * tests/swarm-runtime.test.ts). Callers can then reach a tenant the same way on either runtime.
 */
import Docker from "dockerode";
import { afterAll, describe, expect, it } from "vitest";
import { loadDotEnv } from "../shared/config.js";
import { DockerRuntime } from "../shared/runtime/docker/index.js";
import { labelKeys } from "../shared/runtime/types.js";
import { TemplateRegistry } from "../shared/templates.js";
import { freePort, TEST_CONTAINER_PREFIX, TEST_OWNER, waitFor } from "./helpers/stack.js";

loadDotEnv();
const runtime = new DockerRuntime({ socketPath: "/var/run/docker.sock", owner: TEST_OWNER });
const name = `${TEST_CONTAINER_PREFIX}placement`;

afterAll(async () => {
  await runtime.remove(name);
});

describe("DockerRuntime placement", () => {
  it("reports this engine's host as the node and the bind address as where the app answers", async () => {
    const template = new TemplateRegistry("tenant-templates").get("node", "express")!;
    const image = await runtime.ensureImage(template, process.env.TENANT_BASE_IMAGE ?? "node:22-alpine");
    const port = await freePort();
    await runtime.remove(name);
    await runtime.create({
      name,
      image,
      env: { TENANT_ID: "tenant_placement" },
      labels: { [labelKeys.owner]: TEST_OWNER, [labelKeys.envId]: "placement" },
      containerPort: 3000,
      hostPort: port,
      bindHost: "127.0.0.1",
      memoryMb: 128,
      cpus: 0.25,
      pidsLimit: 64,
    });
    await runtime.start(name);

    const engine = await new Docker().info();
    const info = (await runtime.inspect(name))!;
    expect(info.node).toEqual({ id: engine.ID, hostname: engine.Name, address: "127.0.0.1" });
    expect(info.address).toBe(`127.0.0.1:${port}`);
    const listed = (await runtime.listOwned()).find((c) => c.name === name);
    expect(listed).toMatchObject({ node: info.node, address: info.address });
    await waitFor(async () => (await fetch(`http://${info.address}/health`, { signal: AbortSignal.timeout(2000) }).catch(() => null))?.status === 200, {
      timeoutMs: 15_000,
      what: `the app at ${info.address}`,
    });
  });

  it("watch reports an owned container that dies", async () => {
    const changes: string[] = [];
    const stop = runtime.watch((reason) => changes.push(reason));
    try {
      await new Docker().getContainer(name).kill();
      await waitFor(async () => changes.includes(`container ${name} died`), { timeoutMs: 10_000, what: "the die event" });
    } finally {
      stop();
    }
  });
});
