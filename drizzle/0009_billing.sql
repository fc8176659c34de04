CREATE TABLE "billing_meter_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"identifier" text NOT NULL,
	"org_id" integer NOT NULL,
	"env_id" integer NOT NULL,
	"hour_start" timestamp with time zone NOT NULL,
	"seq" integer NOT NULL,
	"value" integer NOT NULL,
	"stripe_customer_id" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"first_attempt_at" timestamp with time zone,
	"last_error" text,
	"duplicate" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone,
	CONSTRAINT "billing_meter_events_identifier_unique" UNIQUE("identifier"),
	CONSTRAINT "billing_meter_events_status_check" CHECK (status in ('pending', 'delivered', 'failed', 'expired')),
	CONSTRAINT "billing_meter_events_value_check" CHECK (value > 0)
);
--> statement-breakpoint
CREATE TABLE "billing_reconciliations" (
	"org_id" integer NOT NULL,
	"period_start" timestamp with time zone NOT NULL,
	"period_end" timestamp with time zone NOT NULL,
	"reported" integer NOT NULL,
	"stripe_total" integer NOT NULL,
	"drift" integer NOT NULL,
	"reason" text,
	"checked_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "billing_reconciliations_org_id_period_start_pk" PRIMARY KEY("org_id","period_start")
);
--> statement-breakpoint
CREATE TABLE "stripe_webhook_events" (
	"id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"org_id" integer,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "organisations" ADD COLUMN "stripe_customer_id" text;--> statement-breakpoint
ALTER TABLE "organisations" ADD COLUMN "billing_status" text DEFAULT 'active' NOT NULL;--> statement-breakpoint
ALTER TABLE "organisations" ADD COLUMN "billing_status_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "billing_meter_events" ADD CONSTRAINT "billing_meter_events_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing_meter_events" ADD CONSTRAINT "billing_meter_events_env_id_tenants_env_id_fk" FOREIGN KEY ("env_id") REFERENCES "public"."tenants"("env_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing_reconciliations" ADD CONSTRAINT "billing_reconciliations_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stripe_webhook_events" ADD CONSTRAINT "stripe_webhook_events_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "billing_meter_events_hour_seq" ON "billing_meter_events" USING btree ("env_id","hour_start","seq");--> statement-breakpoint
CREATE INDEX "billing_meter_events_due_idx" ON "billing_meter_events" USING btree ("status","next_attempt_at");--> statement-breakpoint
CREATE INDEX "billing_meter_events_org_hour_idx" ON "billing_meter_events" USING btree ("org_id","hour_start");