CREATE TABLE "signing_keys" (
	"kid" text PRIMARY KEY NOT NULL,
	"alg" text NOT NULL,
	"public_jwk" jsonb NOT NULL,
	"private_jwk_enc" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"signs_from" timestamp with time zone NOT NULL,
	"signs_until" timestamp with time zone NOT NULL,
	"verifies_until" timestamp with time zone NOT NULL,
	CONSTRAINT "signing_keys_window_check" CHECK ("signing_keys"."signs_from" < "signing_keys"."signs_until" and "signing_keys"."signs_until" <= "signing_keys"."verifies_until")
);
--> statement-breakpoint
ALTER TABLE "organisations" ADD COLUMN "token_epoch" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "signing_keys_verifies_until_idx" ON "signing_keys" USING btree ("verifies_until");