/**
 * Traffic to a container, read from the host through one of its processes' /proc (the idle watch,
 * docs/idle.md): the network namespace's count of accepted TCP connections (`PassiveOpens` in
 * /proc/<pid>/net/snmp), and its established TCP connections to the app's port
 * (/proc/<pid>/net/tcp and tcp6). Everything that reaches the app, through the ingress or the
 * host port, is a connection accepted in that namespace; the tenant's own outgoing ones are not.
 */
import { readFile } from "node:fs/promises";

/** TCP state ESTABLISHED in /proc/net/tcp (include/net/tcp_states.h). */
const ESTABLISHED = "01";

export async function readNetnsConnections(pid: number, port: number): Promise<{ accepted: number; open: number } | null> {
  try {
    const [snmp, tcp, tcp6] = await Promise.all([
      readFile(`/proc/${pid}/net/snmp`, "utf8"),
      readFile(`/proc/${pid}/net/tcp`, "utf8").catch(() => ""),
      readFile(`/proc/${pid}/net/tcp6`, "utf8").catch(() => ""),
    ]);
    return { accepted: passiveOpens(snmp), open: establishedTo(tcp, port) + establishedTo(tcp6, port) };
  } catch {
    return null; // the process is gone (the container stopped meanwhile)
  }
}

/** The `Tcp: … PassiveOpens …` counter of an snmp file (a header line, then a values line). */
export function passiveOpens(snmp: string): number {
  const lines = snmp.split("\n").filter((l) => l.startsWith("Tcp:"));
  const names = lines[0]?.split(/\s+/) ?? [];
  const values = lines[1]?.split(/\s+/) ?? [];
  const at = names.indexOf("PassiveOpens");
  return at < 0 ? 0 : Number(values[at] ?? 0);
}

/** Established connections whose local port is `port`, in a /proc/net/tcp(6) table. */
export function establishedTo(table: string, port: number): number {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  let n = 0;
  for (const line of table.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length > 3 && f[1]?.endsWith(`:${hexPort}`) && f[3] === ESTABLISHED) n++;
  }
  return n;
}
