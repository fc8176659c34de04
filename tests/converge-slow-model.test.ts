/**
 * Convergence calls against a slow model (an OpenAI-compatible stand-in on 127.0.0.1): a run has
 * CONVERGE_TIMEOUT_MS, not the API's 5 s request deadline; a client that disconnects stops the run
 * and the model request with it; a stopped run is recorded `aborted`, never billed as succeeded.
 */
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { agentOf } from "../shared/convergence/engine.js";
import type { ChatMessage } from "../shared/convergence/types.js";
import { spawnViaApi, startStack, waitFor, type Stack } from "./helpers/stack.js";

/** One request the model stand-in received: who it was for, and whether its caller hung up before the answer. */
interface ModelRequest {
  agent: "A" | "B" | undefined;
  closedBeforeAnswer: boolean;
}

/** How long the author's (A's) answer takes; the reviewer approves at once, so a run is one round. */
let authorDelayMs = 0;
const seen: ModelRequest[] = [];
const pending = new Set<NodeJS.Timeout>();
let model: Server;
let stack: Stack;

function answer(res: ServerResponse, content: string) {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify({ choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }], usage: { prompt_tokens: 10, completion_tokens: 5 } }));
}

beforeAll(async () => {
  model = createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const messages = (JSON.parse(raw) as { messages: ChatMessage[] }).messages;
      const entry: ModelRequest = { agent: agentOf(messages), closedBeforeAnswer: false };
      seen.push(entry);
      res.on("close", () => {
        if (!res.writableEnded) entry.closedBeforeAnswer = true;
      });
      if (entry.agent === "B") return answer(res, "APPROVE\nfine");
      const timer = setTimeout(() => {
        pending.delete(timer);
        if (!res.destroyed) answer(res, "the slow answer");
      }, authorDelayMs);
      pending.add(timer);
    });
  });
  await new Promise<void>((resolve) => model.listen(0, "127.0.0.1", resolve));
  const { port } = model.address() as AddressInfo;
  stack = await startStack("converge-slow", { LLM_BASE_URL: `http://127.0.0.1:${port}/v1`, LLM_MAX_RETRIES: "0" }, { workers: 0 });
});
afterEach(() => {
  for (const t of pending) clearTimeout(t);
  pending.clear();
  model.closeAllConnections();
  seen.length = 0;
});
afterAll(async () => {
  await stack?.stop();
  model?.closeAllConnections();
  await new Promise((resolve) => model?.close(resolve));
});

const body = { prompt: "Design a system", agentARole: "Architect", agentBRole: "Reviewer" };

/** A tenant of a new organisation (no worker: it stays pending, and its key works for convergence calls). */
async function tenant(name: string) {
  const org = await stack.newOrg("converge-slow");
  const res = await spawnViaApi(stack, org.token, { name });
  expect(res.status).toBe(202);
  return { org, envId: res.body.tenant.envId as number, apiKey: res.body.tenant.apiKey as string };
}

const usageTotals = async (token: string) => (await stack.api("/api/v1/usage", { token })).body.totals;

const meteredCalls = (envId: number) =>
  stack.sql<{ outcome: string; http_status: number; error_code: string | null }[]>`
    select outcome, http_status, error_code from convergence_calls where env_id = ${envId} order by id`;

describe("a convergence call with a slow model", () => {
  it("a model that takes 7 s answers 200 with the result, not 503, and is billed once as succeeded", async () => {
    authorDelayMs = 7_000; // past the API's 5 s request deadline
    const t = await tenant("seven-seconds");
    const res = await stack.api("/api/v1/converge", { token: t.apiKey, body, timeoutMs: 60_000 });
    expect([res.status, res.body.error?.code]).toEqual([200, undefined]);
    expect(res.body.result).toMatchObject({ converged: true, rounds: 1, final: "the slow answer", provider: "openai-compatible" });
    expect(await usageTotals(t.org.token)).toMatchObject({ calls: 1, succeeded: 1, errors: 0, aborted: 0 });
  });

  it("a client that disconnects after 1 s stops the run: the model's request is aborted, and the call is recorded aborted, not billed", async () => {
    authorDelayMs = 60_000;
    const t = await tenant("gone-away");
    const client = stack.api("/api/v1/converge", { token: t.apiKey, body, timeoutMs: 1_000 });
    await expect(client).rejects.toThrow(/no answer within 1000 ms/);

    // The model stand-in sees its caller hang up long before it would have answered.
    await waitFor(async () => seen.length === 1 && seen[0]!.closedBeforeAnswer, { timeoutMs: 10_000, what: "the model's request to be aborted" });
    const [call] = await waitFor(
      async () => {
        const rows = await meteredCalls(t.envId);
        return rows.length > 0 ? rows : null;
      },
      { timeoutMs: 10_000, what: "the call to be recorded" },
    );
    expect(call).toMatchObject({ outcome: "aborted", http_status: 499 });
    expect(seen.map((r) => r.agent)).toEqual(["A"]); // the run went no further

    const totals = await usageTotals(t.org.token);
    expect(totals).toMatchObject({ calls: 0, succeeded: 0, errors: 0, refused: 0, aborted: 1 });
  });

  it("a run past CONVERGE_TIMEOUT_MS answers 504 UPSTREAM_TIMEOUT naming the budget, stops the model's request, and is recorded aborted", async () => {
    authorDelayMs = 60_000;
    const api = await stack.startExtraApi({ CONVERGE_TIMEOUT_MS: "2000" });
    try {
      const t = await tenant("over-budget");
      const res = await fetch(`${api.url}/api/v1/converge`, {
        method: "POST",
        headers: { authorization: `Bearer ${t.apiKey}`, "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      const json = (await res.json()) as { success: boolean; error: { code: string; message: string } };
      expect([res.status, json.success, json.error.code]).toEqual([504, false, "UPSTREAM_TIMEOUT"]);
      expect(json.error.message).toMatch(/CONVERGE_TIMEOUT_MS \(2000 ms\)/);
      await waitFor(async () => seen[0]?.closedBeforeAnswer === true, { timeoutMs: 10_000, what: "the model's request to be aborted" });
      expect(await meteredCalls(t.envId)).toEqual([{ outcome: "aborted", http_status: 504, error_code: "UPSTREAM_TIMEOUT" }]);
      expect(await usageTotals(t.org.token)).toMatchObject({ calls: 0, succeeded: 0, aborted: 1 });
    } finally {
      api.proc.kill("SIGTERM");
    }
  });

  it("the usage schema in the OpenAPI document has aborted next to succeeded", async () => {
    const doc = (await stack.api("/openapi.json")).body;
    const totals = doc.paths["/api/v1/usage"].get.responses["200"].content["application/json"].schema.properties.totals;
    expect(Object.keys(totals.properties)).toEqual(expect.arrayContaining(["succeeded", "errors", "refused", "aborted"]));
    expect(totals.required).toContain("aborted");
  });
});
