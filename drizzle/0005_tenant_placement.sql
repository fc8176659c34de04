ALTER TABLE "tenants" ADD COLUMN "node_id" text;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "node_hostname" text;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "node_address" text;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "address" text;