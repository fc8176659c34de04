/** The provisioning wait's look at whether an app listens yet, against real sockets on loopback. */
import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { acceptsConnections } from "../../shared/tenants/probe.js";

let server: Server;
let port: number;
beforeAll(async () => {
  server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("acceptsConnections", () => {
  test("says yes where something listens, refused where nothing does", async () => {
    expect(await acceptsConnections(`127.0.0.1:${port}`, 1_000)).toBe("yes");
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const free = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await acceptsConnections(`127.0.0.1:${free}`, 1_000)).toBe("refused");
  });

  test("an address it cannot make sense of is unknown, never refused (the wait then probes over HTTP)", async () => {
    expect(await acceptsConnections("127.0.0.1:not-a-port", 1_000)).toBe("unknown");
  });
});
