/**
 * The runtime's network verbs, run as a child process inside a private dockerd's network
 * namespace (its iptables are the namespace's): `nsenter --net=… node --import tsx
 * tests/helpers/network-scenario.ts '<json>'`. Prints a JSON result on stdout.
 *   up:     ensure the network, create and start the tenants, wait until each answers
 *   start:  start the tenants again (what the health sweep does after an engine restart)
 *   ensure: re-apply the network's rules (what the reconciler does every round)
 *   down:   remove the tenants and the network with its rules
 */
import { DockerRuntime, type TenantNetworkOptions } from "../../shared/runtime/docker/index.js";
import { labelKeys } from "../../shared/runtime/types.js";
import { waitFor } from "./stack.js";
import { answersOk } from "./tenants.js";

interface Input {
  action: "up" | "start" | "ensure" | "down";
  socketPath: string;
  owner: string;
  network: TenantNetworkOptions;
  image: string;
  tenants: Array<{ name: string; envId: number; hostPort: number }>;
}

const input = JSON.parse(process.argv[2]!) as Input;
const runtime = new DockerRuntime({ socketPath: input.socketPath, owner: input.owner, network: input.network });

const answers = (port: number) =>
  waitFor(() => answersOk(`http://127.0.0.1:${port}/health`), {
    timeoutMs: 30_000,
    what: `a tenant on 127.0.0.1:${port}`,
  });

switch (input.action) {
  case "up":
    await runtime.ensureNetwork();
    for (const t of input.tenants) {
      await runtime.create({
        name: t.name,
        image: input.image,
        env: { TENANT_ID: `tenant_${t.envId}`, TENANT_NAME: t.name, CONVERGENCE_API_URL: "http://host.docker.internal:9/api/v1" },
        labels: { [labelKeys.owner]: input.owner, [labelKeys.envId]: String(t.envId) },
        containerPort: 3000,
        hostPort: t.hostPort,
        bindHost: "127.0.0.1",
        memoryMb: 128,
        cpus: 0.5,
        pidsLimit: 64,
      });
      await runtime.start(t.name);
    }
    await Promise.all(input.tenants.map((t) => answers(t.hostPort)));
    break;
  case "start":
    for (const t of input.tenants) await runtime.start(t.name);
    await Promise.all(input.tenants.map((t) => answers(t.hostPort)));
    break;
  case "ensure":
    await runtime.ensureNetwork();
    break;
  case "down":
    for (const t of input.tenants) await runtime.remove(t.name);
    await runtime.removeUnusedNetworks({ includeCurrent: true });
    break;
}
process.stdout.write(JSON.stringify({ ok: true, action: input.action }));
