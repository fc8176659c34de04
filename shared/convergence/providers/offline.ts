/**
 * Deterministic stand-in for an LLM: no network, no timers, same input → same output.
 * Lets the platform (and its tests) run the whole convergence flow without any model configured.
 * The reviewer asks for one revision and approves the second draft, so the default flow
 * (maxRounds 3) converges in 2 rounds and maxRounds 1 does not converge.
 */
import { agentOf, roundOf } from "../engine.js";
import type { ChatMessage, ChatProvider } from "../types.js";

/** Token "counts" here are an estimate (ceil(chars / 4)), not a real tokenizer. */
const estimateTokens = (text: string) => Math.ceil(text.length / 4);

const clip = (s: string, max: number) => {
  const flat = s.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/** Role from the engine's "You are <role>." line; a fallback keeps foreign callers working. */
function roleOf(messages: ChatMessage[]): string {
  const system = messages.find((m) => m.role === "system")?.content ?? "";
  return /^You are (.*)\.$/m.exec(system)?.[1] ?? "assistant";
}

export class OfflineProvider implements ChatProvider {
  readonly name = "offline";
  readonly model = "offline-deterministic-v1";

  async complete(messages: ChatMessage[]): Promise<{ content: string; tokensIn: number; tokensOut: number }> {
    const content = agentOf(messages) === "B" ? this.review(messages) : this.draft(messages);
    return {
      content,
      tokensIn: estimateTokens(messages.map((m) => m.content).join("\n")),
      tokensOut: estimateTokens(content),
    };
  }

  private draft(messages: ChatMessage[]): string {
    const round = roundOf(messages);
    const role = roleOf(messages);
    const prompt = messages.find((m) => m.role === "user")?.content ?? "";
    const lastCritique = round > 1 ? (messages.filter((m) => m.role === "user").at(-1)?.content ?? "") : "";
    const lines = [
      `Draft revision ${round} (${role})`,
      `Request: ${clip(prompt, 200)}`,
      `1. Goal: restate the request as ${role} sees it.`,
      "2. Approach: outline the steps, simplest first.",
      "3. Risks: note what could go wrong and how to check it.",
    ];
    if (round > 1) {
      lines.push("4. Next steps: concrete actions with owners.");
      lines.push(`Addresses review: ${clip(lastCritique, 120)}`);
    }
    return lines.join("\n");
  }

  private review(messages: ChatMessage[]): string {
    const round = roundOf(messages);
    const role = roleOf(messages);
    return round === 1 ? `REVISE\nAs ${role}: draft 1 lacks concrete next steps; add them.` : `APPROVE\nAs ${role}: draft ${round} adds concrete next steps; good to go.`;
  }
}
