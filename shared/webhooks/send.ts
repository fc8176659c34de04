/**
 * One HTTP POST of a webhook: node:http(s) rather than fetch so the connection can be pinned to
 * the addresses the target check approved (no DNS rebinding between check and connect), with a
 * hard timeout over the whole exchange, no redirects followed, and the response body discarded
 * after a small cap.
 */
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";

const MAX_RESPONSE_BYTES = 64 * 1024;

export interface SendResult {
  status: number;
}

export function postWebhook(args: { url: URL; body: string; headers: Record<string, string>; timeoutMs: number; lookup?: LookupFunction }): Promise<SendResult> {
  const { url, body, headers, timeoutMs, lookup } = args;
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  const signal = AbortSignal.timeout(timeoutMs);
  return new Promise<SendResult>((resolve, reject) => {
    const fail = (err: Error) => {
      reject(signal.aborted ? new Error(`no answer within ${timeoutMs} ms`) : err);
    };
    const req = request(
      url,
      {
        method: "POST",
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
        signal,
        lookup,
        // A fresh connection per attempt: a pooled socket could outlive the address check.
        agent: false,
      },
      (res: IncomingMessage) => {
        let seen = 0;
        res.on("data", (chunk: Buffer) => {
          seen += chunk.length;
          if (seen > MAX_RESPONSE_BYTES) res.destroy(); // the answer's body is not needed, only its status
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0 }));
        res.on("close", () => resolve({ status: res.statusCode ?? 0 }));
        res.on("error", fail);
      },
    );
    req.on("error", fail);
    req.end(body);
  });
}
