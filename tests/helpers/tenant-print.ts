/**
 * Makes a running tenant print lines on demand, as its app would: a `node -e` exec'd in its
 * container (the base image has no shell) writes them to PID 1's stdout, the stream Docker logs.
 * `$NAME` in a line is replaced inside the container by its environment variable, so a test can
 * make a tenant print its own key without ever knowing it.
 */
import { execIn, ownedContainers, type Stack } from "./stack.js";

const script = `
const lines = process.argv.slice(1).map((l) => l.replace(/\\$([A-Z_]+)/g, (_, k) => process.env[k] ?? ""));
require("fs").writeFileSync("/proc/1/fd/1", lines.map((l) => l + "\\n").join(""));
`;

export async function printInTenant(stack: Stack, envId: number, ...lines: string[]): Promise<void> {
  const running = (await ownedContainers(stack, envId)).find((c) => c.State === "running");
  if (!running) throw new Error(`tenant ${envId} has no running container to print from`);
  await execIn(stack.docker, running.Id, ["node", "-e", script, ...lines]);
}
