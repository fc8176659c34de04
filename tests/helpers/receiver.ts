/** A local webhook receiver on 127.0.0.1 for tests: records every request, can fail on demand. */
import { createServer, type IncomingHttpHeaders } from "node:http";

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

export async function startReceiver(respond: (n: number) => number = () => 200) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const status = respond(received.length + 1);
      received.push({ headers: req.headers, body, status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    /** Successfully received events (2xx), parsed. */
    events: () => received.filter((r) => r.status < 300).map((r) => ({ ...r, json: JSON.parse(r.body) as { type: string; data: Record<string, unknown> } })),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
