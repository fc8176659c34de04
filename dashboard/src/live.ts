/**
 * Live updates from the API's server-sent event streams, through the browser's EventSource: it
 * sends the session cookie, reconnects by itself when a stream ends (a stream ends when the
 * token that opened it expires) and resumes with Last-Event-ID, so nothing is missed.
 */
import { useEffect, useRef, useState } from "react";
import type { Tenant, TenantStatus, TenantStatusEvent } from "./api.js";

export type StreamState = "connecting" | "live" | "closed";

/** `GET /api/v1/events`: every transition of the organisation's tenants. */
export interface OrganisationEvent {
  envId: number;
  tenantId: string;
  name: string;
  from: TenantStatus | null;
  to: TenantStatus;
  reason: string;
  at: string;
  tenant: Tenant;
}

function useEventSource(url: string | null, handlers: Record<string, (e: MessageEvent<string>) => void>, closeWhen?: (e: MessageEvent<string>) => boolean): StreamState {
  const [state, setState] = useState<StreamState>("connecting");
  const latest = useRef(handlers);
  latest.current = handlers;
  const closeRef = useRef(closeWhen);
  closeRef.current = closeWhen;
  useEffect(() => {
    if (!url) return;
    setState("connecting");
    const source = new EventSource(url);
    source.onopen = () => setState("live");
    // CONNECTING: it reconnects by itself. CLOSED: the server refused (e.g. 401, the session is over).
    source.onerror = () => setState(source.readyState === EventSource.CLOSED ? "closed" : "connecting");
    for (const name of Object.keys(latest.current)) {
      source.addEventListener(name, (e) => {
        const msg = e as MessageEvent<string>;
        latest.current[name]?.(msg);
        if (closeRef.current?.(msg)) {
          source.close();
          setState("closed");
        }
      });
    }
    return () => source.close();
  }, [url]);
  return state;
}

/**
 * Follows the organisation's tenants: `onSync` when the stream is caught up (list the tenants
 * then: nothing that happens after is missed), `onEvent` for each change after that.
 */
export function useOrganisationEvents(onSync: () => void, onEvent: (e: OrganisationEvent) => void): StreamState {
  return useEventSource("/api/v1/events", {
    sync: () => onSync(),
    status: (e) => onEvent(JSON.parse(e.data) as OrganisationEvent),
  });
}

export type TimelineEvent = TenantStatusEvent & { id: number };

/** A tenant's state changes: its history, then each new one; the stream is closed after `destroyed`. */
export function useTenantEvents(envId: number, onEvent?: (e: TimelineEvent) => void): { events: TimelineEvent[]; state: StreamState } {
  const [events, setEvents] = useState<TimelineEvent[]>([]);
  useEffect(() => setEvents([]), [envId]);
  const state = useEventSource(
    `/api/v1/tenant/${envId}/events`,
    {
      status: (e) => {
        const event = { ...(JSON.parse(e.data) as TenantStatusEvent), id: Number(e.lastEventId) };
        setEvents((list) => (list.some((x) => x.id === event.id) ? list : [...list, event]));
        onEvent?.(event);
      },
    },
    (e) => (JSON.parse(e.data) as TenantStatusEvent).to === "destroyed",
  );
  return { events, state };
}
