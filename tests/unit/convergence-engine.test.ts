import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { agentOf, converge, parseVerdict, roundOf } from "../../shared/convergence/engine.js";
import { createProvider } from "../../shared/convergence/providers/index.js";
import { OfflineProvider } from "../../shared/convergence/providers/offline.js";
import { OpenAICompatibleProvider } from "../../shared/convergence/providers/openai.js";
import { type ChatMessage, ProviderError } from "../../shared/convergence/types.js";

const input = { prompt: "Plan a zero-downtime Postgres upgrade", agentARole: "a platform engineer", agentBRole: "an SRE reviewer", maxRounds: 3 };

describe("convergence engine with the offline provider", () => {
  it("converges in 2 rounds with maxRounds 3 and alternates A/B in the transcript", async () => {
    const result = await converge(new OfflineProvider(), input);
    expect(result.converged).toBe(true);
    expect(result.rounds).toBe(2);
    expect(result.provider).toBe("offline");
    expect(result.model).toBe("offline-deterministic-v1");
    expect(result.transcript.map((t) => `${t.round}${t.agent}`)).toEqual(["1A", "1B", "2A", "2B"]);
    expect(result.transcript.map((t) => t.verdict)).toEqual([undefined, "revise", undefined, "approve"]);
    expect(result.transcript[0]!.role).toBe(input.agentARole);
    expect(result.transcript[1]!.role).toBe(input.agentBRole);
    expect(result.final).toBe(result.transcript[2]!.content);
    expect(result.final).toContain("revision 2");
    expect(result.final).toContain(input.prompt);
    expect(result.tokensIn).toBeGreaterThan(0);
    expect(result.tokensOut).toBeGreaterThan(0);
  });

  it("does not converge when maxRounds is 1 and returns the only draft", async () => {
    const result = await converge(new OfflineProvider(), { ...input, maxRounds: 1 });
    expect(result.converged).toBe(false);
    expect(result.rounds).toBe(1);
    expect(result.transcript).toHaveLength(2);
    expect(result.final).toBe(result.transcript[0]!.content);
  });

  it("is deterministic: the same input gives the same result", async () => {
    expect(await converge(new OfflineProvider(), input)).toEqual(await converge(new OfflineProvider(), input));
  });

  it("rejects a non-positive maxRounds", async () => {
    await expect(converge(new OfflineProvider(), { ...input, maxRounds: 0 })).rejects.toThrow(RangeError);
  });

  it("stops before calling the provider when the caller has already aborted", async () => {
    const offline = new OfflineProvider();
    const calls: ChatMessage[][] = [];
    const counting = { name: offline.name, model: offline.model, complete: (m: ChatMessage[]) => (calls.push(m), offline.complete(m)) };
    const reason = new Error("the caller went away");
    await expect(converge(counting, input, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(calls).toEqual([]);
    // The same provider, not aborted, is called: the count above can see a call.
    await converge(counting, input);
    expect(calls.length).toBeGreaterThan(0);
  });

  it("reports null token totals when the provider reports no usage", async () => {
    const silent = { name: "silent", model: "m", complete: async () => ({ content: "APPROVE" }) };
    const result = await converge(silent, input);
    expect(result.converged).toBe(true);
    expect(result.tokensIn).toBeNull();
    expect(result.tokensOut).toBeNull();
  });
});

describe("parseVerdict", () => {
  it.each([
    ["APPROVE\nlooks good", "approve"],
    ["approve", "approve"],
    ["\n  **Approved.**\nfine", "approve"],
    ["Verdict: APPROVE", "approve"],
    ["REVISE\nmissing tests", "revise"],
    ["I would approve this", "revise"],
    ["", "revise"],
    ["Looks fine\nAPPROVE", "revise"],
  ])("reads %j as %s", (review, verdict) => {
    expect(parseVerdict(review)).toBe(verdict);
  });
});

describe("createProvider", () => {
  const base = { LLM_MODEL: "m", LLM_TIMEOUT_MS: 1000, LLM_MAX_RETRIES: 1 };
  it("uses the offline provider when LLM_BASE_URL is unset or empty", () => {
    expect(createProvider(base).name).toBe("offline");
    expect(createProvider({ ...base, LLM_BASE_URL: "" }).name).toBe("offline");
  });
  it("uses the OpenAI-compatible provider when LLM_BASE_URL is set", () => {
    const p = createProvider({ ...base, LLM_BASE_URL: "http://127.0.0.1:1/v1" });
    expect(p).toBeInstanceOf(OpenAICompatibleProvider);
    expect(p.model).toBe("m");
  });
});

// --- A real chat-completions server on 127.0.0.1:0 ---------------------------------------------

type Seen = { method: string; url: string; headers: IncomingMessage["headers"]; body: any };
type Handler = (req: Seen, res: ServerResponse, n: number) => void;

let server: Server | undefined;

async function startServer(handler: Handler): Promise<{ baseUrl: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const entry = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: raw ? JSON.parse(raw) : undefined };
      seen.push(entry);
      handler(entry, res, seen.length);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}/v1/`, seen };
}

afterEach(async () => {
  if (!server) return;
  const s = server;
  server = undefined;
  s.closeAllConnections(); // the hang test leaves a request open forever
  await new Promise((resolve) => s.close(resolve));
});

function reply(res: ServerResponse, content: string, usage = { prompt_tokens: 11, completion_tokens: 7 }) {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify({ id: "x", object: "chat.completion", choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }], usage }));
}

const messages: ChatMessage[] = [{ role: "user", content: "hi" }];
const API_KEY = "sk-test-secret-123";

describe("OpenAI-compatible provider against a local server", () => {
  it("posts model, messages and temperature with a bearer token, and parses content and usage", async () => {
    const { baseUrl, seen } = await startServer((_req, res) => reply(res, "hello"));
    const provider = new OpenAICompatibleProvider({ baseUrl, apiKey: API_KEY, model: "tiny", timeoutMs: 2000, maxRetries: 0 });
    const out = await provider.complete(messages);
    expect(out).toEqual({ content: "hello", tokensIn: 11, tokensOut: 7 });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.method).toBe("POST");
    expect(seen[0]!.url).toBe("/v1/chat/completions"); // trailing slash of baseUrl stripped
    expect(seen[0]!.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(seen[0]!.headers["content-type"]).toContain("application/json");
    expect(seen[0]!.body).toEqual({ model: "tiny", messages, temperature: 0.2 });
  });

  it("sends no Authorization header when no API key is configured", async () => {
    const { baseUrl, seen } = await startServer((_req, res) => reply(res, "ok"));
    await new OpenAICompatibleProvider({ baseUrl, model: "tiny", timeoutMs: 2000, maxRetries: 0 }).complete(messages);
    expect(seen[0]!.headers.authorization).toBeUndefined();
  });

  it("retries after a 429 (honouring Retry-After) and then succeeds", async () => {
    const { baseUrl, seen } = await startServer((_req, res, n) => {
      if (n === 1) {
        res.writeHead(429, { "retry-after": "0" });
        res.end("slow down");
      } else reply(res, "second time lucky");
    });
    const provider = new OpenAICompatibleProvider({ baseUrl, model: "tiny", timeoutMs: 2000, maxRetries: 2, retryBaseMs: 10 });
    expect((await provider.complete(messages)).content).toBe("second time lucky");
    expect(seen).toHaveLength(2);
  });

  it("gives up after maxRetries+1 attempts on persistent 500s with an upstream error that hides the key", async () => {
    const { baseUrl, seen } = await startServer((req, res) => {
      res.writeHead(500);
      res.end(`internal error, your header was ${req.headers.authorization}`); // a server that echoes secrets
    });
    const provider = new OpenAICompatibleProvider({ baseUrl, apiKey: API_KEY, model: "tiny", timeoutMs: 2000, maxRetries: 2, retryBaseMs: 5 });
    const err = await provider.complete(messages).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ kind: "upstream", upstreamStatus: 500 });
    expect((err as Error).message).not.toContain(API_KEY);
    expect(seen).toHaveLength(3);
  });

  it("does not retry other 4xx responses", async () => {
    const { baseUrl, seen } = await startServer((_req, res) => {
      res.writeHead(400);
      res.end("bad request");
    });
    const provider = new OpenAICompatibleProvider({ baseUrl, model: "tiny", timeoutMs: 2000, maxRetries: 3, retryBaseMs: 5 });
    await expect(provider.complete(messages)).rejects.toMatchObject({ kind: "upstream", upstreamStatus: 400 });
    expect(seen).toHaveLength(1);
  });

  it("treats a response without choices[0].message.content as an upstream error", async () => {
    const { baseUrl } = await startServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ choices: [] }));
    });
    const provider = new OpenAICompatibleProvider({ baseUrl, model: "tiny", timeoutMs: 2000, maxRetries: 0 });
    await expect(provider.complete(messages)).rejects.toMatchObject({ name: "ProviderError", kind: "upstream" });
  });

  it("fails with a timeout error when the server never answers", async () => {
    const { baseUrl, seen } = await startServer(() => {
      /* never respond */
    });
    const provider = new OpenAICompatibleProvider({ baseUrl, model: "tiny", timeoutMs: 300, maxRetries: 1, retryBaseMs: 5 });
    const err = await provider.complete(messages).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).kind).toBe("timeout");
    expect(seen).toHaveLength(2); // the first attempt timed out and was retried once
  });

  it("reports a refused connection as an upstream error", async () => {
    const { baseUrl } = await startServer((_req, res) => reply(res, "unused"));
    const s = server!;
    server = undefined;
    await new Promise((resolve) => s.close(resolve)); // port now closed
    const provider = new OpenAICompatibleProvider({ baseUrl, model: "tiny", timeoutMs: 1000, maxRetries: 1, retryBaseMs: 5 });
    await expect(provider.complete(messages)).rejects.toMatchObject({ kind: "upstream", upstreamStatus: undefined });
  });

  it("runs the engine end-to-end: the server plays A and B and the run converges", async () => {
    const { baseUrl, seen } = await startServer((req, res) => {
      const msgs = req.body.messages as ChatMessage[];
      const round = roundOf(msgs);
      if (agentOf(msgs) === "A") reply(res, `answer v${round}`);
      else reply(res, round === 1 ? "REVISE\nadd detail" : "**Approve**\nship it");
    });
    const provider = new OpenAICompatibleProvider({ baseUrl, apiKey: API_KEY, model: "tiny", timeoutMs: 2000, maxRetries: 0 });
    const result = await converge(provider, input);
    expect(result).toMatchObject({ converged: true, rounds: 2, final: "answer v2", provider: "openai-compatible", model: "tiny", tokensIn: 44, tokensOut: 28 });
    expect(seen).toHaveLength(4);
    // A's revision request carries B's critique.
    const revision = seen[2]!.body.messages as ChatMessage[];
    expect(revision.at(-1)!.content).toContain("add detail");
  });
});
