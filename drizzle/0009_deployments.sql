CREATE TABLE "deployment_archives" (
	"deployment_id" bigint PRIMARY KEY NOT NULL,
	"archive" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "deployments" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"env_id" integer NOT NULL,
	"org_id" integer NOT NULL,
	"revision" integer NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"source" text NOT NULL,
	"rollback_of" integer,
	"image" text,
	"error" text,
	"log" text DEFAULT '' NOT NULL,
	"archive_bytes" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"live_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	CONSTRAINT "deployments_status_check" CHECK (status in ('queued', 'building', 'starting', 'live', 'failed', 'superseded'))
);
--> statement-breakpoint
ALTER TABLE "org_limits" ADD COLUMN "deploys_per_minute" integer;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "live_revision" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "health_path" text DEFAULT '/health' NOT NULL;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "app_env_enc" text;--> statement-breakpoint
ALTER TABLE "deployment_archives" ADD CONSTRAINT "deployment_archives_deployment_id_deployments_id_fk" FOREIGN KEY ("deployment_id") REFERENCES "public"."deployments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_env_id_tenants_env_id_fk" FOREIGN KEY ("env_id") REFERENCES "public"."tenants"("env_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "deployments_env_revision" ON "deployments" USING btree ("env_id","revision");--> statement-breakpoint
CREATE UNIQUE INDEX "deployments_one_active" ON "deployments" USING btree ("env_id") WHERE status in ('queued', 'building', 'starting');--> statement-breakpoint
INSERT INTO "deployments" ("env_id", "org_id", "revision", "status", "source", "image", "live_at", "finished_at")
SELECT "env_id", "org_id", 1, CASE WHEN "status" IN ('failed', 'destroying', 'destroyed') THEN 'superseded' ELSE 'live' END, 'template', "image", "ready_at", "ready_at" FROM "tenants";
