CREATE TABLE "convergence_calls" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"org_id" integer NOT NULL,
	"env_id" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"outcome" text NOT NULL,
	"http_status" integer NOT NULL,
	"error_code" text,
	"converged" boolean,
	"rounds" integer DEFAULT 0 NOT NULL,
	"tokens_in" integer,
	"tokens_out" integer,
	"latency_ms" integer NOT NULL,
	"provider" text,
	"model" text,
	CONSTRAINT "convergence_calls_outcome_check" CHECK (outcome in ('ok', 'error', 'refused'))
);
--> statement-breakpoint
CREATE TABLE "webhook_attempts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"event_id" text NOT NULL,
	"attempt" integer NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"http_status" integer,
	"error" text,
	"duration_ms" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "webhook_events" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" integer NOT NULL,
	"env_id" integer NOT NULL,
	"type" text NOT NULL,
	"url" text NOT NULL,
	"payload" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "organisations" ADD COLUMN "webhook_secret_enc" text;--> statement-breakpoint
ALTER TABLE "organisations" ADD COLUMN "webhook_secret_prefix" text;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "next_restart_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "webhook_url" text;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "quota_per_minute" integer;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "quota_per_month" integer;--> statement-breakpoint
ALTER TABLE "convergence_calls" ADD CONSTRAINT "convergence_calls_env_id_tenants_env_id_fk" FOREIGN KEY ("env_id") REFERENCES "public"."tenants"("env_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_attempts" ADD CONSTRAINT "webhook_attempts_event_id_webhook_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."webhook_events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_events" ADD CONSTRAINT "webhook_events_env_id_tenants_env_id_fk" FOREIGN KEY ("env_id") REFERENCES "public"."tenants"("env_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "convergence_calls_org_time_idx" ON "convergence_calls" USING btree ("org_id","created_at");--> statement-breakpoint
CREATE INDEX "convergence_calls_env_time_idx" ON "convergence_calls" USING btree ("env_id","created_at");--> statement-breakpoint
CREATE INDEX "webhook_attempts_event_idx" ON "webhook_attempts" USING btree ("event_id","attempt");--> statement-breakpoint
CREATE INDEX "webhook_events_env_idx" ON "webhook_events" USING btree ("env_id","created_at");--> statement-breakpoint
CREATE INDEX "webhook_events_status_idx" ON "webhook_events" USING btree ("status");