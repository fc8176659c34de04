/**
 * A TCP proxy on 127.0.0.1 in front of a server, for tests that need a connection to drop for
 * real: `cut()` destroys both sockets of every connection it carries. It also records the head
 * of every request that passes (to see, say, which Last-Event-ID a reconnect sent), and can
 * answer the next few connections with a reset, as a server swapping its listener does.
 */
import { connect, createServer, type Socket } from "node:net";

/**
 * `asTarget`: requests reach the target with its own Host header (for servers that check it,
 * like Caddy's admin API); each request head must arrive in one chunk, as it does on loopback.
 */
export async function startTcpProxy(target: string, opts: { asTarget?: boolean } = {}) {
  const { hostname, port } = new URL(target);
  const open = new Set<Socket>();
  const heads: string[] = [];
  let connections = 0;
  let resets = 0;
  const server = createServer((client) => {
    connections++;
    if (resets > 0) {
      resets--;
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(Number(port), hostname);
    for (const s of [client, upstream]) {
      open.add(s);
      s.on("close", () => open.delete(s));
      s.on("error", () => {}); // a cut connection errors on the other side; that is the point
    }
    let pending = "";
    client.on("data", (chunk: Buffer) => {
      pending += chunk.toString("latin1");
      let end: number;
      while ((end = pending.indexOf("\r\n\r\n")) >= 0) {
        heads.push(pending.slice(0, end));
        pending = pending.slice(end + 4);
      }
    });
    if (opts.asTarget) {
      client.on("data", (chunk: Buffer) => {
        upstream.write(chunk.toString("latin1").replace(/\r\nhost:[^\r]*/i, `\r\nHost: ${hostname}:${port}`), "latin1");
      });
      client.on("end", () => upstream.end());
    } else client.pipe(upstream);
    upstream.pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    /** Request heads seen so far, oldest first (request line and headers). */
    heads,
    get connections() {
      return connections;
    },
    /** Resets the next `n` connections (an RST instead of an answer) without passing them on. */
    resetNext(n: number) {
      resets = n;
    },
    /** Stops accepting (connections are refused, as by a stopped server) and drops every connection. */
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of open) s.destroy();
      });
    },
    /** Accepts again, on the same port, after stop(). */
    async start() {
      await new Promise<void>((resolve) => server.listen(address.port, "127.0.0.1", resolve));
    },
    /** Drops every connection now, as a network failure would. */
    cut() {
      for (const s of open) s.destroy();
    },
    close() {
      for (const s of open) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
