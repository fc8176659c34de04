/**
 * Swarm membership for the local cluster: this machine's (shared) engine becomes the manager
 * unless it already is one (for a cluster with OWN_MANAGER, the test suite's: an engine of its own,
 * node 0, in a network namespace), and each node's engine joins it as a worker. The manager is drained so
 * that tenants land on the nodes only: a host-mode published port binds every interface of the
 * host it runs on, and the manager is the machine everyone shares.
 */
import Docker from "dockerode";
import { MANAGER_IP, OWN_MANAGER, type ClusterState, type NodeState } from "./state.js";
import { describeNode, destroyNode, nodeDocker, nodeSocket, startEngine } from "./node.js";
import { waitUntil } from "./sys.js";

/** The manager engine's socket: node 0's for a cluster with OWN_MANAGER, else this machine's engine. */
export const managerSocket = () => (OWN_MANAGER ? nodeSocket(describeNode(0)) : (process.env.DOCKER_SOCKET ?? "/var/run/docker.sock"));
export const managerDocker = () => new Docker({ socketPath: managerSocket() });

/**
 * Swarm settings applied only when `up` initialises the swarm. A 2 s dispatcher heartbeat (default
 * 5 s) marks a dead node down after about 6 s instead of 15 s, which is what bounds how fast Swarm
 * reschedules its tasks; a short task history keeps task listings small.
 */
const SWARM_SPEC = {
  Dispatcher: { HeartbeatPeriod: 2_000_000_000 },
  Orchestration: { TaskHistoryRetentionLimit: 3 },
};

type DockerError = Error & { statusCode?: number };

async function networkExists(docker: Docker, name: string): Promise<boolean> {
  const list = await docker.listNetworks({ filters: { name: [name] } });
  return list.some((n) => n.Name === name);
}

export async function ensureManager(state: ClusterState, log: (m: string) => void): Promise<void> {
  if (OWN_MANAGER) {
    state.manager ??= describeNode(0);
    await startEngine(state.manager);
  }
  const managerIp = state.manager?.address ?? MANAGER_IP;
  const docker = managerDocker();
  const info = await docker.info();
  const swarm = info.Swarm;
  if (swarm.LocalNodeState === "inactive") {
    const gwbridgeExisted = await networkExists(docker, "docker_gwbridge");
    await docker.swarmInit({
      ListenAddr: `${managerIp}:2377`,
      AdvertiseAddr: `${managerIp}:2377`,
      DataPathAddr: managerIp,
      Spec: SWARM_SPEC,
    });
    const self = (await docker.info()).Swarm.NodeID as string;
    if (state.manager) state.manager.swarmNodeId = self;
    state.swarm = {
      initialisedByUs: true,
      managerNodeId: self,
      managerAddr: `${managerIp}:2377`,
      previousAvailability: "active",
      gwbridgeCreated: !gwbridgeExisted,
    };
    log(`${state.manager ? `engine ${state.manager.hostname}` : "this engine"} is now a swarm manager on ${managerIp}:2377 (heartbeat 2 s)`);
  } else if (swarm.LocalNodeState === "active" && swarm.ControlAvailable) {
    if (!state.swarm) {
      const self = swarm.NodeID as string;
      const addr = (swarm.RemoteManagers as Array<{ NodeID: string; Addr: string }> | null)?.find((m) => m.NodeID === self)?.Addr;
      const node = await docker.getNode(self).inspect();
      state.swarm = {
        initialisedByUs: false,
        managerNodeId: self,
        managerAddr: addr ?? `${MANAGER_IP}:2377`,
        previousAvailability: node.Spec.Availability,
        gwbridgeCreated: false,
      };
      log(`this engine was already a swarm manager (${state.swarm.managerAddr}); nodes join that swarm`);
    }
  } else {
    throw new Error(
      `this engine's swarm state is "${swarm.LocalNodeState}"${swarm.ControlAvailable ? "" : " and it is not a manager"}: ` + "the local cluster needs it to be a manager or out of any swarm",
    );
  }
  await setAvailability(docker, state.swarm.managerNodeId, "drain");
}

async function setAvailability(docker: Docker, nodeId: string, availability: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const node = await docker.getNode(nodeId).inspect();
    if (node.Spec.Availability === availability) return;
    try {
      await docker.getNode(nodeId).update({ version: node.Version.Index, ...node.Spec, Availability: availability });
      return;
    } catch (err) {
      if (attempt >= 5 || !/out of sequence/i.test(String(err))) throw err;
    }
  }
}

export async function ensureJoined(state: ClusterState, node: NodeState): Promise<void> {
  const docker = nodeDocker(node);
  let info = await docker.info();
  if (info.Swarm.LocalNodeState !== "active") {
    const tokens = (await managerDocker().swarmInspect()).JoinTokens as { Worker: string };
    await docker.swarmJoin({
      ListenAddr: `${node.address}:2377`,
      AdvertiseAddr: node.address,
      DataPathAddr: node.address,
      RemoteAddrs: [state.swarm!.managerAddr],
      JoinToken: tokens.Worker,
    });
    info = await docker.info();
  }
  node.swarmNodeId = info.Swarm.NodeID as string;
  await waitNodeReady(node);
}

/** Until the manager sees the node `ready` (it rejoins by itself after a restart). */
export async function waitNodeReady(node: NodeState, timeoutMs = 60_000): Promise<void> {
  const manager = managerDocker();
  await waitUntil(async () => (await manager.getNode(node.swarmNodeId!).inspect()).Status.State === "ready", timeoutMs, `node ${node.n} to be ready in the swarm`);
}

/** Node n leaves (if its engine still answers) and is removed from the manager's list. */
export async function removeFromSwarm(node: NodeState): Promise<void> {
  await nodeDocker(node)
    .swarmLeave({ force: true })
    .catch(() => {});
  if (!node.swarmNodeId) return;
  try {
    await managerDocker().getNode(node.swarmNodeId).remove({ force: true });
  } catch (err) {
    if ((err as DockerError).statusCode !== 404) throw err;
  }
}

/** Undoes `ensureManager`: leaves the swarm only if `up` initialised it, else restores the manager's availability. */
export async function releaseManager(state: ClusterState): Promise<void> {
  if (state.manager) {
    // An engine of the cluster's own: its swarm goes with it.
    await destroyNode(state.manager);
    delete state.manager;
    delete state.swarm;
    return;
  }
  const s = state.swarm;
  if (!s) return;
  const docker = managerDocker();
  const info = await docker.info();
  if (info.Swarm.LocalNodeState === "active" && info.Swarm.NodeID === s.managerNodeId) {
    if (s.initialisedByUs) {
      await docker.swarmLeave({ force: true });
      if (s.gwbridgeCreated && (await networkExists(docker, "docker_gwbridge"))) {
        await docker
          .getNetwork("docker_gwbridge")
          .remove()
          .catch(() => {}); // kept if something attached to it meanwhile
      }
    } else {
      await setAvailability(docker, s.managerNodeId, s.previousAvailability);
    }
  }
  delete state.swarm;
}
