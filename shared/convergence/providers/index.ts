/** Picks the chat provider from configuration: a real OpenAI-compatible endpoint if one is set, else offline. */
import type { ChatProvider } from "../types.js";
import { OfflineProvider } from "./offline.js";
import { OpenAICompatibleProvider } from "./openai.js";

export { OfflineProvider } from "./offline.js";
export { OpenAICompatibleProvider, type OpenAICompatibleOptions } from "./openai.js";

export function createProvider(cfg: { LLM_BASE_URL?: string; LLM_API_KEY?: string; LLM_MODEL: string; LLM_TIMEOUT_MS: number; LLM_MAX_RETRIES: number }): ChatProvider {
  // An empty LLM_BASE_URL (e.g. `LLM_BASE_URL=` in .env) means "not configured", not "relative URL".
  if (!cfg.LLM_BASE_URL?.trim()) return new OfflineProvider();
  return new OpenAICompatibleProvider({
    baseUrl: cfg.LLM_BASE_URL.trim(),
    apiKey: cfg.LLM_API_KEY || undefined,
    model: cfg.LLM_MODEL,
    timeoutMs: cfg.LLM_TIMEOUT_MS,
    maxRetries: cfg.LLM_MAX_RETRIES,
  });
}
