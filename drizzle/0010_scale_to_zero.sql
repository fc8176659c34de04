ALTER TABLE "tenants" DROP CONSTRAINT "tenants_status_check";--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "idle_pause_after_s" integer;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "idle_stop_after_s" integer;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "last_active_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "idle_conn_counter" bigint;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "sleep_memory_mb" integer;--> statement-breakpoint
ALTER TABLE "tenants" ADD CONSTRAINT "tenants_status_check" CHECK (status in ('pending', 'provisioning', 'starting', 'ready', 'unhealthy', 'paused', 'stopped', 'waking', 'failed', 'destroying', 'destroyed'));