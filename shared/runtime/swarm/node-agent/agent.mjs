/**
 * The Convergence node agent: one task on every Swarm node that may run tenants (a global service on
 * the node's host network, with NET_ADMIN and NET_RAW only), keeping the platform's tenant firewall
 * in place on that node. The rules arrive ready-made in CVG_AGENT_RULES (built by
 * shared/runtime/swarm/network.ts): this only installs them, checks them every few seconds (a
 * flushed firewall, or a rule deleted, added or replaced, is repaired) and removes its own when the task is stopped. Chain names carry a
 * hash of the configuration: during an update the old task (stopped once the new one is healthy)
 * and the new one keep separate chains, and the stricter of the two applies meanwhile. Chains of
 * this platform that an agent killed outright left behind are removed once, when an agent starts. `node agent.mjs check` is the container's health check: healthy once
 * the rules are in place, so Swarm reports the task running only then.
 *
 * Plain JavaScript without dependencies: the image is the tenant base image plus iptables.
 */
import { execFileSync } from "node:child_process";
import { existsSync, rmSync, writeFileSync } from "node:fs";

const READY_FILE = "/tmp/cvg-node-agent-ready";
if (process.argv[2] === "check") process.exit(existsSync(READY_FILE) ? 0 : 1);

/** @type {{ prefix: string, chains: Record<string, string[]>, jumps: Array<{ chain: string, rule: string }>, intervalMs: number }} */
const spec = JSON.parse(process.env.CVG_AGENT_RULES ?? "null");
if (!spec?.prefix || !spec.chains || !spec.jumps) {
  console.error("node agent: CVG_AGENT_RULES is missing or malformed");
  process.exit(2);
}
const log = (message) => console.log(`${new Date().toISOString()} ${message}`);

const SBIN = "/usr/sbin";
const run = (bin, args, input) => execFileSync(`${SBIN}/${bin}`, ["-w", "5", ...args], { input, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"], timeout: 15_000 });
const succeeds = (bin, args) => {
  try {
    run(bin, args);
    return true;
  } catch {
    return false;
  }
};

/** The iptables backend the node's dockerd uses: the one where its DOCKER-USER chain exists. */
function backend() {
  for (const bin of ["iptables-nft", "iptables-legacy"]) {
    if (succeeds(bin, ["-t", "filter", "-S", "DOCKER-USER"])) return bin;
  }
  return null;
}

function chainRules(bin, chain) {
  try {
    return run(bin, ["-t", "filter", "-S", chain])
      .split("\n")
      .filter((l) => l.startsWith("-A "));
  } catch {
    return null; // no such chain
  }
}

function restore(bin, name, rules) {
  // Declaring the chain in a --noflush restore replaces just that chain, atomically.
  const restoreBin = `${bin}-restore`;
  const input = ["*filter", `:${name} - [0:0]`, ...rules.map((r) => `-A ${name} ${r}`), "COMMIT", ""].join("\n");
  execFileSync(`${SBIN}/${restoreBin}`, ["-w", "5", "--noflush"], { input, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"], timeout: 15_000 });
}

/** Deletes every jump to `chain` from the built-in chains it hangs off, then the chain itself. */
function removeChain(bin, chain) {
  for (const parent of ["DOCKER-USER", "INPUT", "FORWARD"]) {
    for (const line of chainRules(bin, parent) ?? []) {
      if (!line.endsWith(` -j ${chain}`)) continue;
      succeeds(bin, ["-t", "filter", "-D", parent, ...line.slice(`-A ${parent} `.length).split(" ")]);
    }
  }
  succeeds(bin, ["-t", "filter", "-F", chain]);
  succeeds(bin, ["-t", "filter", "-X", chain]);
}

function ourChains(bin) {
  return run(bin, ["-t", "filter", "-S"])
    .split("\n")
    .filter((l) => l.startsWith(`-N ${spec.prefix}`))
    .map((l) => l.slice(3));
}

/**
 * Each chain as iptables lists it right after this agent installed it: the exact rule set to keep.
 * iptables lists a rule in its own canonical form (option order, masks), so the listing is compared
 * with the listing, rule by rule: a rule replaced by another (same count) or moved is repaired too.
 */
const installed = new Map();
const same = (a, b) => a.length === b.length && a.every((line, i) => line === b[i]);

let applied = false;
function apply() {
  const bin = backend();
  if (!bin) throw new Error("no DOCKER-USER chain in either iptables backend: is this node's dockerd running with its iptables integration on?");
  const changes = [];
  for (const [name, rules] of Object.entries(spec.chains)) {
    const want = installed.get(`${bin} ${name}`);
    const have = chainRules(bin, name);
    if (want && have && same(have, want)) continue;
    restore(bin, name, rules);
    installed.set(`${bin} ${name}`, chainRules(bin, name) ?? []);
    changes.push(`${name} (${rules.length} rules${want ? `; repaired: found ${have ? `${have.length} rules, not as intended` : "no chain"}` : ""})`);
  }
  for (const { chain, rule } of spec.jumps) {
    if (succeeds(bin, ["-t", "filter", "-C", chain, ...rule.split(" ")])) continue;
    run(bin, ["-t", "filter", "-I", chain, "1", ...rule.split(" ")]);
    changes.push(`${chain} ${rule}`);
  }
  if (!applied) {
    for (const stale of ourChains(bin).filter((c) => !(c in spec.chains))) {
      removeChain(bin, stale);
      changes.push(`removed ${stale}`);
    }
  }
  if (changes.length) log(`rules installed with ${bin}: ${changes.join("; ")}`);
  if (!applied) writeFileSync(READY_FILE, "");
  applied = true;
}

function stop(signal) {
  const bin = backend();
  if (bin) for (const name of Object.keys(spec.chains)) removeChain(bin, name);
  rmSync(READY_FILE, { force: true });
  log(`${signal}: rules removed`);
  process.exit(0);
}
process.on("SIGTERM", () => stop("SIGTERM"));
process.on("SIGINT", () => stop("SIGINT"));

const tick = () => {
  try {
    apply();
  } catch (err) {
    log(`could not install the rules: ${err.stderr || err.message}`);
  }
  setTimeout(tick, spec.intervalMs || 5_000);
};
tick();
