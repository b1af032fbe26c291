CREATE TABLE "archive_requests" (
	"id" uuid PRIMARY KEY NOT NULL,
	"wallet_id" uuid NOT NULL,
	"owner_id" uuid NOT NULL,
	"status" text DEFAULT 'PENDING' NOT NULL,
	"reason" text,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_at" timestamp with time zone
);
--> statement-breakpoint
CREATE UNIQUE INDEX "archive_requests_one_pending_per_wallet" ON "archive_requests" USING btree ("wallet_id") WHERE "archive_requests"."status" = 'PENDING';