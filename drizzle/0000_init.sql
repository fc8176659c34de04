CREATE TABLE "organisations" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"token_hash" text NOT NULL,
	"token_prefix" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "organisations_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "port_leases" (
	"port" integer PRIMARY KEY NOT NULL,
	"env_id" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "port_leases_env_id_unique" UNIQUE("env_id")
);
--> statement-breakpoint
CREATE TABLE "tenant_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"env_id" integer NOT NULL,
	"org_id" integer NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"reason" text NOT NULL,
	"actor" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tenants" (
	"env_id" serial PRIMARY KEY NOT NULL,
	"org_id" integer NOT NULL,
	"name" text NOT NULL,
	"language" text NOT NULL,
	"framework" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"port" integer,
	"container_id" text,
	"container_name" text NOT NULL,
	"image" text,
	"api_key_prefix" text NOT NULL,
	"api_key_hash" text NOT NULL,
	"api_key_enc" text NOT NULL,
	"api_key_revoked_at" timestamp with time zone,
	"idempotency_key" text,
	"last_error" text,
	"last_check_at" timestamp with time zone,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"restart_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"status_changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ready_at" timestamp with time zone,
	"destroyed_at" timestamp with time zone,
	CONSTRAINT "tenants_api_key_hash_unique" UNIQUE("api_key_hash"),
	CONSTRAINT "tenants_status_check" CHECK (status in ('pending', 'provisioning', 'starting', 'ready', 'unhealthy', 'failed', 'destroying', 'destroyed'))
);
--> statement-breakpoint
ALTER TABLE "port_leases" ADD CONSTRAINT "port_leases_env_id_tenants_env_id_fk" FOREIGN KEY ("env_id") REFERENCES "public"."tenants"("env_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tenant_events" ADD CONSTRAINT "tenant_events_env_id_tenants_env_id_fk" FOREIGN KEY ("env_id") REFERENCES "public"."tenants"("env_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tenants" ADD CONSTRAINT "tenants_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "tenant_events_env_idx" ON "tenant_events" USING btree ("env_id","id");--> statement-breakpoint
CREATE INDEX "tenants_org_idx" ON "tenants" USING btree ("org_id","env_id");--> statement-breakpoint
CREATE INDEX "tenants_status_idx" ON "tenants" USING btree ("status","status_changed_at");--> statement-breakpoint
CREATE UNIQUE INDEX "tenants_org_idempotency_key" ON "tenants" USING btree ("org_id","idempotency_key");