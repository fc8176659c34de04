/**
 * The caller's own organisation: its limits and what it uses of them, every tenant's state
 * changes as one stream, and rotating the organisation token (the client goes on with the new one).
 */
import { unwrap, type Transport } from "./http.js";
import { followSse, type ReconnectOptions } from "./sse.js";
import type { CallOptions, OrganisationEvent, OrganisationInfo } from "./types.js";

export interface OrganisationEventsOptions extends CallOptions, ReconnectOptions {
  /** Replay what came after this event id first; by default only what happens from now on. */
  lastEventId?: number;
}

export class OrganisationCalls {
  constructor(private readonly transport: Transport) {}

  /** The organisation, its limits (`overridden`: those set for it, the others are the platform's defaults) and its current usage of them. */
  async get(options: CallOptions = {}): Promise<OrganisationInfo> {
    const { success: _, ...info } = await unwrap(this.transport.api.GET("/api/v1/org", { signal: options.signal }));
    return info;
  }

  /**
   * Every state change of the organisation's tenants, as it happens (after `lastEventId` first,
   * when given), each with the tenant as it was then. A dropped connection is reopened after the
   * last event seen. It never ends by itself: leave the loop or abort the signal.
   */
  async *events(options: OrganisationEventsOptions = {}): AsyncGenerator<OrganisationEvent> {
    const open = (lastEventId: string | undefined, signal: AbortSignal) =>
      unwrap(
        this.transport.api.GET("/api/v1/events", {
          params: { header: lastEventId === undefined ? undefined : { "last-event-id": Number(lastEventId) } },
          headers: { Accept: "text/event-stream" },
          parseAs: "stream",
          signal,
        }),
      );
    for await (const message of followSse("the organisation's event stream", open, { ...options, lastEventId: options.lastEventId?.toString() })) {
      if (message.event !== "status") continue;
      yield { ...(JSON.parse(message.data) as Omit<OrganisationEvent, "id">), id: Number(message.id) };
    }
  }

  /**
   * Replaces the organisation token: the old one (and every access token derived from it) is
   * refused from now on. The new token is in this answer only; this client uses it from now on.
   */
  async rotateToken(options: CallOptions = {}): Promise<{ token: string; prefix: string }> {
    const { token, prefix } = await unwrap(this.transport.api.POST("/api/v1/auth/organisation-token/rotate", { signal: options.signal }));
    this.transport.credential.current = token;
    return { token, prefix };
  }
}
