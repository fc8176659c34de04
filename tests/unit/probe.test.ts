/** The provisioning wait's look at whether an app listens yet, and the health probe, against real sockets on loopback. */
import { createServer as createHttpServer } from "node:http";
import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { acceptsConnections, probeTenant } from "../../shared/tenants/probe.js";

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

describe("probeTenant", () => {
  test("a tenant whose /health redirects elsewhere is unhealthy, and the worker never requests the redirect target", async () => {
    let targetHits = 0;
    const target = createHttpServer((_req, res) => {
      targetHits++;
      res.end("ok");
    });
    await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
    const targetPort = (target.address() as { port: number }).port;
    const tenant = createHttpServer((_req, res) => {
      res.writeHead(302, { location: `http://127.0.0.1:${targetPort}/internal-secret` });
      res.end();
    });
    await new Promise<void>((resolve) => tenant.listen(0, "127.0.0.1", resolve));
    const tenantPort = (tenant.address() as { port: number }).port;
    try {
      const probe = await probeTenant({ HEALTH_TIMEOUT_MS: 2_000 }, `127.0.0.1:${tenantPort}`, "/health");
      expect(probe).toEqual({ ok: false, error: expect.stringContaining("HTTP 302") });
      // Both servers share this process's event loop: had the probe followed the redirect, the
      // target's handler would already have run before probeTenant resolved.
      expect(targetHits).toBe(0);
    } finally {
      await new Promise<void>((resolve) => tenant.close(() => resolve()));
      await new Promise<void>((resolve) => target.close(() => resolve()));
    }
  });
});
