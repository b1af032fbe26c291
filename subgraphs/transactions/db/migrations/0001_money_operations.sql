CREATE TABLE "user_emails" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "wallet_projection" (
	"wallet_id" uuid PRIMARY KEY NOT NULL,
	"owner_id" uuid NOT NULL,
	"currency" text NOT NULL,
	"is_default" boolean NOT NULL,
	"status" text DEFAULT 'ACTIVE' NOT NULL,
	"opened_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
DROP INDEX "operations_wallet_idx";--> statement-breakpoint
ALTER TABLE "operations" ALTER COLUMN "created_at" SET DATA TYPE timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "operations" ALTER COLUMN "created_at" SET DEFAULT now();--> statement-breakpoint
ALTER TABLE "operations" ADD COLUMN "counterparty_owner_id" uuid;--> statement-breakpoint
ALTER TABLE "operations" ADD COLUMN "ledger_entry_id" uuid;--> statement-breakpoint
CREATE INDEX "user_emails_email_idx" ON "user_emails" USING btree ("email");--> statement-breakpoint
CREATE INDEX "wallet_projection_default_idx" ON "wallet_projection" USING btree ("owner_id") WHERE "wallet_projection"."is_default";--> statement-breakpoint
CREATE INDEX "operations_wallet_page_idx" ON "operations" USING btree ("wallet_id","created_at","id");--> statement-breakpoint
CREATE INDEX "operations_counterparty_page_idx" ON "operations" USING btree ("counterparty_wallet_id","created_at","id") WHERE "operations"."counterparty_wallet_id" is not null;