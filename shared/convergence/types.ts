/**
 * Shared types for the convergence engine: two agents (an author "A" and a reviewer "B")
 * talk through one chat provider until the reviewer approves or the round budget runs out.
 */

export type ChatMessage = { role: "system" | "user" | "assistant"; content: string };

export interface ChatProvider {
  readonly name: string;
  readonly model: string;
  /** Token counts are optional because not every backend reports usage. */
  complete(messages: ChatMessage[], opts?: { signal?: AbortSignal }): Promise<{ content: string; tokensIn?: number; tokensOut?: number }>;
}

export type ConvergeInput = {
  prompt: string;
  agentARole: string;
  agentBRole: string;
  /** One round = one answer from A plus one review from B. */
  maxRounds: number;
};

export type Verdict = "approve" | "revise";

export type TranscriptEntry = {
  round: number;
  agent: "A" | "B";
  role: string;
  content: string;
  /** Only on B's entries. */
  verdict?: Verdict;
};

export type ConvergeResult = {
  converged: boolean;
  rounds: number;
  /** A's last answer, approved or not. */
  final: string;
  transcript: TranscriptEntry[];
  provider: string;
  model: string;
  /** null when the provider never reported usage, so callers can tell "0" from "unknown". */
  tokensIn: number | null;
  tokensOut: number | null;
};

/**
 * A provider failure the HTTP layer can map without inspecting messages:
 * "timeout" → 504, "upstream" → 502. Messages never contain the API key.
 */
export class ProviderError extends Error {
  // Declared fields rather than parameter properties, so any TS stripper can load this file.
  readonly kind: "timeout" | "upstream";
  readonly upstreamStatus?: number;

  constructor(message: string, kind: "timeout" | "upstream", upstreamStatus?: number) {
    super(message);
    this.name = "ProviderError";
    this.kind = kind;
    if (upstreamStatus !== undefined) this.upstreamStatus = upstreamStatus;
  }
}
