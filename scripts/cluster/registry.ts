/**
 * The private registry every engine of the local swarm pulls from: Debian's `docker-registry`
 * (Distribution 2.8), run by us with our own config (never as the system service), listening on
 * the bridge address with TLS. Its self-signed CA goes to /etc/docker/certs.d/<host:port>/ca.crt,
 * which Docker reads at each connection: the shared engine trusts it without a restart, and so do
 * the nodes (they share the host's /etc). The same `198.18.0.1:5000/repo@sha256:…` reference then
 * works on the manager and on every node.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, rmdirSync, writeFileSync, copyFileSync } from "node:fs";
import { request } from "node:https";
import { dirname, join } from "node:path";
import { DATA_DIR, MANAGER_IP, REGISTRY, REGISTRY_PORT, type ClusterState } from "./state.js";
import { isOurProcess, run, startDetached, tailFile, waitExit, waitUntil } from "./sys.js";

const REGISTRY_BIN = "/usr/bin/docker-registry";
const dir = join(DATA_DIR, "registry");
const configFile = join(dir, "config.yml");
const logFile = join(dir, "registry.log");
const caFile = join(dir, "ca.crt");
const trustFile = `/etc/docker/certs.d/${REGISTRY}/ca.crt`;

async function ensurePackage(log: (m: string) => void): Promise<void> {
  if (existsSync(REGISTRY_BIN)) return;
  log("installing Debian's docker-registry package (its system service is not used)");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  try {
    await run("apt-get", ["install", "-y", "--no-install-recommends", "docker-registry"], env);
  } catch {
    await run("apt-get", ["update"], env);
    await run("apt-get", ["install", "-y", "--no-install-recommends", "docker-registry"], env);
  }
  if (!existsSync(REGISTRY_BIN)) throw new Error(`installing docker-registry did not provide ${REGISTRY_BIN}`);
}

/** A CA and a server certificate for the registry's IP address (Go clients require the IP in subjectAltName). */
async function ensureCertificates(): Promise<void> {
  if (existsSync(join(dir, "registry.crt")) && existsSync(caFile)) return;
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await run("openssl", [
    "req",
    "-x509",
    ...ec,
    "-days",
    "3650",
    "-subj",
    "/CN=cvg-cluster registry CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
    "-keyout",
    join(dir, "ca.key"),
    "-out",
    caFile,
  ]);
  await run("openssl", ["req", ...ec, "-subj", `/CN=${MANAGER_IP}`, "-keyout", join(dir, "registry.key"), "-out", join(dir, "registry.csr")]);
  const ext = join(dir, "registry.ext");
  writeFileSync(ext, `subjectAltName=IP:${MANAGER_IP}\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n`);
  await run("openssl", [
    "x509",
    "-req",
    "-in",
    join(dir, "registry.csr"),
    "-CA",
    caFile,
    "-CAkey",
    join(dir, "ca.key"),
    "-CAcreateserial",
    "-days",
    "3650",
    "-extfile",
    ext,
    "-out",
    join(dir, "registry.crt"),
  ]);
}

function writeConfig(): void {
  writeFileSync(
    configFile,
    `# Written by \`npm run cluster -- up\`; removed by \`down\`.
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: ${join(dir, "data")}
  delete:
    enabled: true
http:
  addr: ${MANAGER_IP}:${REGISTRY_PORT}
  tls:
    certificate: ${join(dir, "registry.crt")}
    key: ${join(dir, "registry.key")}
  headers:
    X-Content-Type-Options: [nosniff]
`,
  );
}

/** Trusts the registry's CA for every engine on this host, recording each directory it had to create. */
function trust(createdDirs: string[]): void {
  for (const d of ["/etc/docker", "/etc/docker/certs.d", dirname(trustFile)]) {
    if (!existsSync(d)) {
      mkdirSync(d);
      createdDirs.push(d);
    }
  }
  copyFileSync(caFile, trustFile);
}

/** GET (or `method`) `path` over TLS with our CA: GET /v2/ answers 200 once the registry serves. */
export function registryAnswers(path = "/v2/", method = "GET"): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: MANAGER_IP, port: REGISTRY_PORT, path, method, ca: readFileSync(caFile), timeout: 2000, headers: { accept: "application/vnd.docker.distribution.manifest.v2+json" } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}

export async function ensureRegistry(state: ClusterState, log: (m: string) => void): Promise<void> {
  await ensurePackage(log);
  mkdirSync(join(dir, "data"), { recursive: true });
  state.registry ??= { address: REGISTRY, dir, trustFile, createdDirs: [] };
  await ensureCertificates();
  writeConfig();
  trust(state.registry.createdDirs);
  if (!isOurProcess(state.registry.pid, configFile)) {
    state.registry.pid = startDetached(REGISTRY_BIN, ["serve", configFile], logFile);
    log(`registry started on https://${REGISTRY} (pid ${state.registry.pid})`);
  }
  const pid = state.registry.pid;
  await waitUntil(
    async () => (await registryAnswers()) === 200,
    30_000,
    `the registry on ${REGISTRY}`,
    () => (isOurProcess(pid, configFile) ? tailFile(logFile) : `the registry exited:\n${tailFile(logFile)}`),
  );
}

export async function removeRegistry(state: ClusterState): Promise<void> {
  const reg = state.registry;
  if (!reg) return;
  if (isOurProcess(reg.pid, configFile)) {
    process.kill(reg.pid, "SIGTERM");
    if (!(await waitExit(reg.pid, 5000)) && isOurProcess(reg.pid, configFile)) process.kill(reg.pid, "SIGKILL");
  }
  rmSync(reg.trustFile, { force: true });
  for (const d of [...reg.createdDirs].reverse()) {
    // Only directories we created, and only when empty.
    try {
      rmdirSync(d);
    } catch {
      // not empty: someone else's certificates live there
    }
  }
  rmSync(reg.dir, { recursive: true, force: true });
  delete state.registry;
}

export { caFile as registryCaFile };
