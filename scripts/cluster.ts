/**
 * A local Docker Swarm on this machine, for the demo and the tests:
 *
 *   npm run cluster -- up 2       this engine as manager + 2 worker engines in network namespaces + a registry
 *   npm run cluster -- status     nodes: hostname, address, state, availability, role, running tasks
 *   npm run cluster -- kill 1     SIGKILL node 1's engine, containerd, shims and containers (a crashed host)
 *   npm run cluster -- start 1    node 1 again; it rejoins the swarm
 *   npm run cluster -- down       remove everything `up` made (refuses while platform services remain; --force)
 *
 * Needs root (namespaces, bridge, iptables). The machinery is in scripts/cluster/.
 */
import { ServicesRemainError, down, kill, start, status, up } from "./cluster/index.js";

const usage = "usage: npm run cluster -- up [N] | status | kill <n> | start <n> | down [--force]";
const log = (m: string) => console.log(m);

function nodeNumber(arg: string | undefined): number {
  const n = Number(arg);
  if (!arg || !Number.isInteger(n) || n < 1) {
    console.error(usage);
    process.exit(64);
  }
  return n;
}

async function printStatus(): Promise<void> {
  const s = await status();
  console.log(s.registry ? `registry  https://${s.registry.address}  ${s.registry.running ? "running" : "NOT running"}` : "registry  none");
  if (!s.nodes.length) {
    console.log("no nodes");
    return;
  }
  const header = ["NODE", "HOSTNAME", "ADDRESS", "STATE", "AVAILABILITY", "ROLE", "TASKS", "ENGINE", "ID"];
  const rows = s.nodes.map((r) => [r.n ? String(r.n) : "manager", r.hostname, r.address, r.state, r.availability, r.role, String(r.tasks), r.engine, r.id.slice(0, 12)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const r of [header, ...rows])
    console.log(
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join("  ")
        .trimEnd(),
    );
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error("the local cluster needs root (network namespaces, a bridge, iptables)");
  const [verb, arg] = process.argv.slice(2);
  switch (verb) {
    case "up": {
      const count = arg === undefined ? 2 : nodeNumber(arg);
      const r = await up(count, { log, tool: "cli" });
      if (!r.createdCluster && !r.addedNodes.length) log("already up");
      const extra = Object.keys(r.state.nodes)
        .map(Number)
        .filter((n) => n > count);
      if (extra.length) log(`nodes ${extra.join(", ")} exist beyond ${count} and were left as they are`);
      await printStatus();
      return;
    }
    case "status":
      return printStatus();
    case "kill": {
      const n = nodeNumber(arg);
      log(`node ${n}: ${await kill(n)} processes SIGKILLed`);
      return;
    }
    case "start": {
      const n = nodeNumber(arg);
      await start(n);
      log(`node ${n} is back in the swarm`);
      return;
    }
    case "down":
      await down({ force: process.argv.includes("--force"), log });
      return;
    default:
      console.error(usage);
      process.exit(64);
  }
}

main().catch((err) => {
  console.error(`cluster: ${err instanceof ServicesRemainError ? err.message : ((err as Error).stack ?? err)}`);
  process.exit(1);
});
