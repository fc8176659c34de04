/**
 * The convergence loop: A answers, B reviews (APPROVE/REVISE), A revises, until B approves or
 * maxRounds is spent. Each agent sees its own running conversation (A: its drafts and the
 * critiques; B: the drafts and its earlier reviews), so B can check whether its critique was
 * addressed and A does not repeat rejected drafts.
 */
import type { ChatMessage, ChatProvider, ConvergeInput, ConvergeResult, TranscriptEntry, Verdict } from "./types.js";

/**
 * First line of each agent's system message. Providers that need to know which agent they are
 * serving (the offline provider, test doubles) use agentOf() instead of guessing from wording.
 */
export const AUTHOR_TAG = "[convergence:author]";
export const REVIEWER_TAG = "[convergence:reviewer]";

/** Which agent a request is for, or undefined if the messages did not come from this engine. */
export function agentOf(messages: ChatMessage[]): "A" | "B" | undefined {
  const system = messages.find((m) => m.role === "system")?.content ?? "";
  if (system.startsWith(AUTHOR_TAG)) return "A";
  if (system.startsWith(REVIEWER_TAG)) return "B";
  return undefined;
}

/** Round being requested: each agent's conversation holds one assistant turn per finished round. */
export function roundOf(messages: ChatMessage[]): number {
  return messages.filter((m) => m.role === "assistant").length + 1;
}

/** Role text as the system message carries it (single line, so it cannot break the format). */
const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();

function authorSystem(input: ConvergeInput): string {
  return [
    AUTHOR_TAG,
    `You are ${oneLine(input.agentARole)}.`,
    `Answer the user's request in that role. A reviewer (${oneLine(input.agentBRole)}) will critique your answer;`,
    "when you receive a critique, reply with the complete revised answer only.",
  ].join("\n");
}

function reviewerSystem(input: ConvergeInput): string {
  return [
    REVIEWER_TAG,
    `You are ${oneLine(input.agentBRole)}.`,
    `You review answers written by ${oneLine(input.agentARole)} to the request you are given.`,
    "Start your reply with a line containing exactly APPROVE if the answer is good enough as it stands,",
    "or exactly REVISE if it must change; then give a short, concrete critique.",
  ].join("\n");
}

/**
 * Verdict from the first non-empty line. Tolerates markdown and a "Verdict:" label
 * ("**APPROVE**", "Verdict: approved"); anything unclear counts as revise, so a confused
 * reviewer never ends the loop early.
 */
export function parseVerdict(review: string): Verdict {
  const firstLine = review.split("\n").find((l) => l.trim() !== "") ?? "";
  const match = /^[^a-z]*(?:verdict\b[^a-z]*)?([a-z]+)/i.exec(firstLine);
  const word = match?.[1]?.toLowerCase();
  return word === "approve" || word === "approved" ? "approve" : "revise";
}

/** Review text without the verdict line, for feeding back to A. */
function critiqueOf(review: string): string {
  const lines = review.trim().split("\n");
  const rest = lines.slice(1).join("\n").trim();
  return rest || review.trim();
}

export async function converge(provider: ChatProvider, input: ConvergeInput, opts?: { signal?: AbortSignal }): Promise<ConvergeResult> {
  if (!Number.isInteger(input.maxRounds) || input.maxRounds < 1) {
    throw new RangeError(`maxRounds must be a positive integer, got ${input.maxRounds}`);
  }
  const signal = opts?.signal;
  const author: ChatMessage[] = [
    { role: "system", content: authorSystem(input) },
    { role: "user", content: input.prompt },
  ];
  const reviewer: ChatMessage[] = [{ role: "system", content: reviewerSystem(input) }];
  const transcript: TranscriptEntry[] = [];
  // Sum only what the provider reported; stay null if it never reported anything.
  let tokensIn: number | null = null;
  let tokensOut: number | null = null;
  const ask = async (messages: ChatMessage[]) => {
    signal?.throwIfAborted();
    const reply = await provider.complete(messages, { signal });
    if (reply.tokensIn !== undefined) tokensIn = (tokensIn ?? 0) + reply.tokensIn;
    if (reply.tokensOut !== undefined) tokensOut = (tokensOut ?? 0) + reply.tokensOut;
    return reply.content;
  };

  let final = "";
  for (let round = 1; round <= input.maxRounds; round++) {
    final = await ask(author);
    author.push({ role: "assistant", content: final });
    transcript.push({ round, agent: "A", role: input.agentARole, content: final });

    // The first review also carries the request, so B knows what the answer is for.
    reviewer.push({
      role: "user",
      content: round === 1 ? `Request:\n${input.prompt}\n\nAnswer (draft ${round}):\n${final}` : `Revised answer (draft ${round}):\n${final}`,
    });
    const review = await ask(reviewer);
    reviewer.push({ role: "assistant", content: review });
    const verdict = parseVerdict(review);
    transcript.push({ round, agent: "B", role: input.agentBRole, content: review, verdict });

    if (verdict === "approve") {
      return { converged: true, rounds: round, final, transcript, provider: provider.name, model: provider.model, tokensIn, tokensOut };
    }
    // Only queue a revision request if another round will actually use it.
    if (round < input.maxRounds) {
      author.push({
        role: "user",
        content: `Critique from ${oneLine(input.agentBRole)}:\n${critiqueOf(review)}\n\nRevise your answer to address it.`,
      });
    }
  }
  return {
    converged: false,
    rounds: input.maxRounds,
    final,
    transcript,
    provider: provider.name,
    model: provider.model,
    tokensIn,
    tokensOut,
  };
}
