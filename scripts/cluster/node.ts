/**
 * One worker node of the local swarm: a containerd and a dockerd of its own, started inside the
 * node's network namespace with `nsenter --net=…` (not `ip netns exec`, which remounts /sys and
 * hides the cgroup hierarchies dockerd needs) and in a UTS namespace of its own so that Swarm
 * lists it under its own hostname. Own data-root, exec-root, pidfile, socket and cgroup parent.
 *
 * `killNode` is a crashed host: SIGKILL to every process in the node's network namespace (dockerd,
 * containerd, shims, docker-proxy) and in its cgroup (the containers), found by namespace inode
 * and cgroup, never by process name.
 */
import Docker from "dockerode";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureNodeNetwork, netnsPath, removeNodeNetwork } from "./network.js";
import { CLUSTER, DATA_DIR, RUN_DIR, nodeIp, type NodeState } from "./state.js";
import { isOurProcess, killUntilGone, pidsInCgroup, pidsInNetns, removeCgroup, run, startDetached, tailFile, unmountUnder, waitExit, waitUntil } from "./sys.js";

export const NODE_LABEL = "io.convergence.cluster-node";

export function describeNode(n: number): NodeState {
  return {
    n,
    hostname: n === 0 ? `${CLUSTER}-manager` : `${CLUSTER}-node-${n}`,
    netns: `${CLUSTER}-n${n}`,
    vethHost: `${CLUSTER}-n${n}h`,
    address: nodeIp(n),
    dataDir: join(DATA_DIR, "nodes", `n${n}`),
    runDir: join(RUN_DIR, `n${n}`),
    cgroup: `${CLUSTER}-n${n}`,
  };
}

const paths = (node: NodeState) => ({
  uts: join(node.runDir, "uts"),
  containerdConfig: join(node.dataDir, "containerd.toml"),
  containerdSock: join(node.runDir, "containerd", "containerd.sock"),
  dockerSock: join(node.runDir, "docker.sock"),
  dockerPid: join(node.runDir, "docker.pid"),
  daemonJson: join(node.dataDir, "daemon.json"),
  containerdLog: join(node.dataDir, "containerd.log"),
  dockerdLog: join(node.dataDir, "dockerd.log"),
});

export const nodeSocket = (node: NodeState) => paths(node).dockerSock;
export const nodeDocker = (node: NodeState) => new Docker({ socketPath: nodeSocket(node) });

export function engineRunning(node: NodeState): boolean {
  return isOurProcess(node.dockerdPid, paths(node).dockerSock);
}

/** A persistent UTS namespace (bind-mounted on a file) whose hostname is the node's. */
async function ensureUts(node: NodeState): Promise<string> {
  const { uts } = paths(node);
  const mounted = (await run("findmnt", ["-rn", "-o", "TARGET", uts]).catch(() => "")).trim() === uts;
  if (!mounted) {
    writeFileSync(uts, "");
    await run("unshare", [`--uts=${uts}`, "hostname", node.hostname]);
  }
  return uts;
}

function writeConfigs(node: NodeState): void {
  const p = paths(node);
  mkdirSync(join(node.dataDir, "docker"), { recursive: true });
  mkdirSync(join(node.runDir, "containerd"), { recursive: true });
  writeFileSync(
    p.containerdConfig,
    `# containerd of local swarm node ${node.n}; written by \`npm run cluster -- up\`.
version = 2
root = "${join(node.dataDir, "containerd")}"
state = "${join(node.runDir, "containerd")}"
disabled_plugins = ["io.containerd.grpc.v1.cri"]

[grpc]
  address = "${p.containerdSock}"

[ttrpc]
  address = "${p.containerdSock}.ttrpc"

[debug]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = "${join(node.dataDir, "containerd-opt")}"
`,
  );
  // An explicit (empty of surprises) config file, so the node never reads the host's /etc/docker/daemon.json,
  // and a key of its own instead of sharing the host engine's /etc/docker/key.json (engine ID).
  writeFileSync(p.daemonJson, JSON.stringify({ "deprecated-key-path": join(node.dataDir, "key.json") }, null, 2));
}

/** Starts the node's containerd and dockerd (whichever is not running) and waits for the engine to answer. */
export async function startEngine(node: NodeState): Promise<void> {
  const p = paths(node);
  await ensureNodeNetwork(node.n);
  writeConfigs(node);
  const uts = await ensureUts(node);
  const enter = ["nsenter", `--net=${netnsPath(node.netns)}`, `--uts=${uts}`];

  if (!isOurProcess(node.containerdPid, p.containerdConfig)) {
    rmSync(p.containerdSock, { force: true });
    node.containerdPid = startDetached(enter[0]!, [...enter.slice(1), "containerd", "--config", p.containerdConfig], p.containerdLog);
    const pid = node.containerdPid;
    await waitUntil(
      () => existsSync(p.containerdSock),
      30_000,
      `containerd of node ${node.n}`,
      () => (isOurProcess(pid, p.containerdConfig) ? tailFile(p.containerdLog) : `containerd exited:\n${tailFile(p.containerdLog)}`),
    );
  }
  if (!engineRunning(node)) {
    rmSync(p.dockerPid, { force: true }); // a SIGKILLed dockerd leaves it behind
    const args = [
      "dockerd",
      `--config-file=${p.daemonJson}`,
      `--data-root=${join(node.dataDir, "docker")}`,
      `--exec-root=${join(node.runDir, "docker")}`,
      `--pidfile=${p.dockerPid}`,
      `--host=unix://${p.dockerSock}`,
      `--containerd=${p.containerdSock}`,
      `--cgroup-parent=/${node.cgroup}`,
      // Swarm services on API 1.41 cannot ask for no-new-privileges; the node's engine imposes it on every container.
      "--no-new-privileges",
      // Tenants' tasks share each node's default bridge: no traffic between its containers (the node agent drops it too).
      "--icc=false",
      `--label=${NODE_LABEL}=${node.n}`,
      `--swarm-default-advertise-addr=${node.address}`,
      "--log-level=warn",
    ];
    node.dockerdPid = startDetached(enter[0]!, [...enter.slice(1), ...args], p.dockerdLog);
  }
  const pid = node.dockerdPid!;
  const docker = nodeDocker(node);
  await waitUntil(
    async () => Boolean(await docker.ping()),
    60_000,
    `dockerd of node ${node.n}`,
    () => (isOurProcess(pid, p.dockerSock) ? tailFile(p.dockerdLog) : `dockerd exited:\n${tailFile(p.dockerdLog)}`),
  );
}

/** Every process of the node: its daemons (by network namespace) and its containers (by cgroup). */
function nodeProcesses(node: NodeState): number[] {
  return [...pidsInNetns(netnsPath(node.netns)), ...pidsInCgroup(node.cgroup)];
}

/** A crashed host: SIGKILL, no clean-up, nothing of the node keeps serving. Returns how many processes died. */
export async function killNode(node: NodeState): Promise<number> {
  const killed = await killUntilGone(() => nodeProcesses(node));
  delete node.dockerdPid;
  delete node.containerdPid;
  return killed;
}

/** Stops the node's engine cleanly if it runs (SIGTERM, bounded), then makes sure nothing of it is left. */
export async function stopEngine(node: NodeState): Promise<void> {
  if (engineRunning(node)) {
    process.kill(node.dockerdPid!, "SIGTERM");
    await waitExit(node.dockerdPid!, 15_000);
  }
  await killNode(node);
}

/** Removes everything the node had: processes, mounts, cgroups, network namespace, veth, directories. */
export async function destroyNode(node: NodeState): Promise<void> {
  await stopEngine(node);
  await unmountUnder(node.runDir);
  await unmountUnder(node.dataDir);
  removeCgroup(node.cgroup);
  await removeNodeNetwork(node.netns, node.vethHost);
  rmSync(node.runDir, { recursive: true, force: true });
  rmSync(node.dataDir, { recursive: true, force: true });
}
