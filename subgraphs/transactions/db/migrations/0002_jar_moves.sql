CREATE TABLE "jar_projection" (
	"jar_id" uuid PRIMARY KEY NOT NULL,
	"wallet_id" uuid NOT NULL,
	"owner_id" uuid NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"currency" text NOT NULL,
	"status" text DEFAULT 'ACTIVE' NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "operations" ADD COLUMN "jar_id" uuid;--> statement-breakpoint
ALTER TABLE "operations" ADD COLUMN "counterparty_jar_id" uuid;