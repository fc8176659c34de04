/**
 * The events of every server-sent-event stream, as schemas: what a client reads from each
 * `text/event-stream` response. One schema per stream describes one event as a client's SSE parser
 * hands it over (`event`, `id`, and `data`, which is JSON on the wire and shown here decoded), as
 * Speakeasy, Fern and openapi-typescript read it (OpenAPI 3.2's `itemSchema` says the same, later).
 * `: heartbeat` comments are not events: SSE parsers drop them.
 *
 * tests/openapi-lint.test.ts fails for a `text/event-stream` response whose schema is not a named
 * …StreamEvent schema, so a new stream documents its events here too.
 */
import { z } from "@hono/zod-openapi";
import { TenantSchema, TenantStatusSchema } from "./schemas.js";

const dateTime = z.string().openapi({ format: "date-time", example: "2026-11-29T10:15:30.000Z" });
const eventId = z.string().openapi({ description: "the event's id (digits): send it back as `Last-Event-ID` to resume after it", example: "1042" });

/** The `data` of each `event: status` on GET /api/v1/tenant/{id}/events. */
export const TenantStatusEventSchema = z
  .object({
    from: TenantStatusSchema.nullable().openapi({ description: "null for the first event (the tenant was accepted)" }),
    to: TenantStatusSchema,
    reason: z.string().openapi({ example: "health check passed" }),
    at: dateTime,
  })
  .openapi("TenantStatusEvent", { description: "one state change of a tenant" });

/** GET /api/v1/tenant/{id}/events: history first, then live; the stream ends after `destroyed`. */
export const TenantEventsStreamEventSchema = z
  .object({
    event: z.literal("status"),
    id: eventId,
    data: TenantStatusEventSchema,
  })
  .openapi("TenantEventsStreamEvent", { description: "an event of GET /api/v1/tenant/{id}/events" });

/** The `data` of each `event: line` on GET /api/v1/tenant/{id}/logs?follow=true. */
export const TenantLogLineSchema = z
  .object({
    at: z.string().openapi({ description: "when the container printed it: RFC 3339 with nanoseconds, as Docker stamps it", example: "2026-11-29T10:15:30.022179839Z" }),
    line: z.string().openapi({ description: "the text, without its newline; secrets (tenant keys, tokens) are masked", example: "tenant_1 (my-app) listening on 3000" }),
  })
  .openapi("TenantLogLine", { description: "one line a tenant's container printed" });

/** GET /api/v1/tenant/{id}/logs?follow=true: `line` events, oldest first, history then live; `end` once the tenant is destroyed. */
export const TenantLogStreamEventSchema = z
  .discriminatedUnion("event", [
    z
      .object({
        event: z.literal("line"),
        id: z.string().openapi({ description: "the line's timestamp in nanoseconds since the epoch: send it back as `Last-Event-ID` to resume after it", example: "1796000130022179839" }),
        data: TenantLogLineSchema,
      })
      .openapi("TenantLogLineEvent", { description: "a line the tenant printed" }),
    z
      .object({
        event: z.literal("end"),
        data: z.object({ reason: z.string().openapi({ example: "tenant destroyed" }) }),
      })
      .openapi("TenantLogEndEvent", { description: "the tenant is destroyed: no more lines will come, and the stream ends" }),
  ])
  .openapi("TenantLogStreamEvent", { description: "an event of GET /api/v1/tenant/{id}/logs?follow=true" });

/** The `data` of each `event: status` on GET /api/v1/events. */
export const OrganisationStatusEventSchema = z
  .object({
    envId: z.number().int().openapi({ example: 1 }),
    tenantId: z.string().openapi({ example: "tenant_1" }),
    name: z.string().openapi({ example: "my-app" }),
    from: TenantStatusSchema.nullable().openapi({ description: "null for the first event (the tenant was accepted)" }),
    to: TenantStatusSchema,
    reason: z.string().openapi({ example: "health check passed" }),
    at: dateTime,
    tenant: TenantSchema.openapi({ description: "the tenant as it is when the event is sent" }),
  })
  .openapi("OrganisationStatusEvent", { description: "one state change of one of the organisation's tenants" });

/** GET /api/v1/events: replayed events after Last-Event-ID first, then `sync`, then live events. */
export const OrganisationEventsStreamEventSchema = z
  .discriminatedUnion("event", [
    z.object({ event: z.literal("status"), id: eventId, data: OrganisationStatusEventSchema }).openapi("OrganisationStatusStreamEvent", { description: "a tenant's state changed" }),
    z
      .object({
        event: z.literal("sync"),
        id: eventId,
        data: z.object({ lastEventId: z.number().int().openapi({ description: "the newest event so far: everything up to it has been sent", example: 1042 }) }),
      })
      .openapi("OrganisationSyncStreamEvent", { description: "caught up: what follows happens live" }),
  ])
  .openapi("OrganisationEventsStreamEvent", { description: "an event of GET /api/v1/events" });
