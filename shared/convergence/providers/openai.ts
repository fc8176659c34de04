/**
 * Client for any OpenAI-compatible chat-completions endpoint (OpenAI, Ollama, vLLM, llama.cpp…).
 * Each attempt has its own timeout; 429, 5xx, network errors and timeouts are retried with
 * exponential backoff. Failures surface as ProviderError so the HTTP layer can map them
 * (timeout → 504, upstream → 502). Error messages never include the API key.
 */
import { z } from "zod";
import type { ChatMessage, ChatProvider } from "../types.js";
import { ProviderError } from "../types.js";

export type OpenAICompatibleOptions = {
  /** e.g. http://127.0.0.1:11434/v1 — "/chat/completions" is appended. */
  baseUrl: string;
  apiKey?: string;
  model: string;
  /** Per attempt, not for the whole call. */
  timeoutMs: number;
  maxRetries: number;
  /** First backoff delay; doubles per retry. */
  retryBaseMs?: number;
  fetch?: typeof fetch;
};

/** A server asking us to wait longer than this would hold the caller's request too long. */
const MAX_RETRY_AFTER_MS = 5_000;
const BODY_SNIPPET_CHARS = 200;

const responseSchema = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string() }) })).min(1),
  usage: z.object({ prompt_tokens: z.number().optional(), completion_tokens: z.number().optional() }).nullish(),
});

/** What one attempt produced: a result, or an error plus whether another attempt could help. */
type Attempt = { ok: true; value: { content: string; tokensIn?: number; tokensOut?: number } } | { ok: false; error: ProviderError; retryable: boolean; retryAfterMs?: number };

export class OpenAICompatibleProvider implements ChatProvider {
  readonly name = "openai-compatible";
  readonly model: string;
  private readonly url: string;
  private readonly apiKey: string | undefined;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly retryBaseMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(opts: OpenAICompatibleOptions) {
    this.url = `${opts.baseUrl.replace(/\/+$/, "")}/chat/completions`;
    this.apiKey = opts.apiKey;
    this.model = opts.model;
    this.timeoutMs = opts.timeoutMs;
    this.maxRetries = Math.max(0, opts.maxRetries);
    this.retryBaseMs = opts.retryBaseMs ?? 500;
    this.fetchImpl = opts.fetch ?? fetch;
  }

  async complete(messages: ChatMessage[], opts?: { signal?: AbortSignal }): Promise<{ content: string; tokensIn?: number; tokensOut?: number }> {
    const signal = opts?.signal;
    for (let attempt = 0; ; attempt++) {
      const result = await this.attempt(messages, signal);
      if (result.ok) return result.value;
      if (!result.retryable || attempt >= this.maxRetries) throw result.error;
      const backoff = this.retryBaseMs * 2 ** attempt;
      await sleep(Math.max(backoff, result.retryAfterMs ?? 0), signal);
    }
  }

  private async attempt(messages: ChatMessage[], callerSignal: AbortSignal | undefined): Promise<Attempt> {
    callerSignal?.throwIfAborted();
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout;
    const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;

    let status: number;
    let body: string;
    let retryAfterMs: number | undefined;
    try {
      const res = await this.fetchImpl(this.url, {
        method: "POST",
        headers,
        body: JSON.stringify({ model: this.model, messages, temperature: 0.2 }),
        signal,
      });
      status = res.status;
      retryAfterMs = parseRetryAfter(res.headers.get("retry-after"));
      // Reading the body is inside the same timeout: a server can stall mid-body too.
      body = await res.text();
    } catch (err) {
      // The caller gave up (client disconnected, shutdown): not a provider failure, don't retry.
      if (callerSignal?.aborted) throw callerSignal.reason;
      if (timeout.aborted) {
        return { ok: false, retryable: true, error: new ProviderError(`LLM request timed out after ${this.timeoutMs} ms`, "timeout") };
      }
      return { ok: false, retryable: true, error: new ProviderError(this.redact(`LLM request failed: ${describe(err)}`), "upstream") };
    }

    if (status < 200 || status >= 300) {
      const error = new ProviderError(this.redact(`LLM upstream returned HTTP ${status}: ${snippet(body)}`), "upstream", status);
      // 429 and 5xx are transient by definition; other 4xx mean our request is wrong and will stay wrong.
      return { ok: false, error, retryable: status === 429 || status >= 500, retryAfterMs };
    }

    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return { ok: false, retryable: false, error: new ProviderError(this.redact(`LLM upstream returned non-JSON: ${snippet(body)}`), "upstream") };
    }
    const parsed = responseSchema.safeParse(json);
    if (!parsed.success) {
      return { ok: false, retryable: false, error: new ProviderError("LLM upstream returned a malformed chat completion (no choices[0].message.content)", "upstream") };
    }
    const { choices, usage } = parsed.data;
    return {
      ok: true,
      value: { content: choices[0]!.message.content, tokensIn: usage?.prompt_tokens, tokensOut: usage?.completion_tokens },
    };
  }

  /** Upstream bodies and error texts are not ours: scrub the key in case one echoes it back. */
  private redact(text: string): string {
    return this.apiKey ? text.split(this.apiKey).join("[redacted]") : text;
  }
}

/** Numeric Retry-After (seconds) only; HTTP-date forms fall back to normal backoff. */
function parseRetryAfter(header: string | null): number | undefined {
  if (header === null || !/^\s*\d+(\.\d+)?\s*$/.test(header)) return undefined;
  return Math.min(Number(header) * 1000, MAX_RETRY_AFTER_MS);
}

function snippet(body: string): string {
  const flat = body.replace(/\s+/g, " ").trim();
  return flat.length > BODY_SNIPPET_CHARS ? `${flat.slice(0, BODY_SNIPPET_CHARS)}…` : flat || "(empty body)";
}

/** fetch's own message is just "fetch failed"; the useful part (ECONNREFUSED…) is in the cause. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? err.cause : undefined;
  const code = (cause as { code?: unknown } | undefined)?.code;
  return cause ? `${err.message} (${typeof code === "string" ? code : cause.message})` : err.message;
}

/** Backoff wait that ends early, with the caller's reason, if the caller aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
