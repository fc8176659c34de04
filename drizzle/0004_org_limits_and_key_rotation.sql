CREATE TABLE "org_limits" (
	"org_id" integer PRIMARY KEY NOT NULL,
	"max_tenants" integer,
	"spawns_per_minute" integer,
	"rotations_per_minute" integer,
	"destroys_per_minute" integer,
	"logs_per_minute" integer,
	"max_event_streams" integer,
	"max_held_waits" integer,
	"max_log_follows" integer,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "api_key_rotated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "org_limits" ADD CONSTRAINT "org_limits_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;