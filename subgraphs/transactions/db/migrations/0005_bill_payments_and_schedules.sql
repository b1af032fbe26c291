CREATE TABLE "bill_payments" (
	"operation_id" uuid PRIMARY KEY NOT NULL,
	"step" text DEFAULT 'HOLD' NOT NULL,
	"calls" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"failure_code" text,
	"last_error" text
);
--> statement-breakpoint
CREATE TABLE "scheduled_payments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"owner_id" uuid NOT NULL,
	"wallet_id" uuid NOT NULL,
	"jar_id" uuid,
	"kind" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"frequency" text NOT NULL,
	"starts_at" timestamp (3) with time zone NOT NULL,
	"ends_at" timestamp (3) with time zone,
	"day_of_month" integer,
	"next_run_at" timestamp (3) with time zone,
	"status" text DEFAULT 'ACTIVE' NOT NULL,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"to_wallet_id" uuid,
	"to_email" text,
	"biller_id" text,
	"bill_reference" text,
	"note" text,
	"idempotency_key" text NOT NULL,
	"request_hash" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
DROP INDEX "operations_jar_spend_idx";--> statement-breakpoint
ALTER TABLE "operations" ADD COLUMN "biller_id" text;--> statement-breakpoint
ALTER TABLE "operations" ADD COLUMN "bill_reference" text;--> statement-breakpoint
ALTER TABLE "operations" ADD COLUMN "hold_status" text;--> statement-breakpoint
ALTER TABLE "operations" ADD COLUMN "hold_expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "operations" ADD COLUMN "receipt" jsonb;--> statement-breakpoint
ALTER TABLE "operations" ADD COLUMN "schedule_id" uuid;--> statement-breakpoint
CREATE INDEX "bill_payments_due_idx" ON "bill_payments" USING btree ("next_attempt_at") WHERE "bill_payments"."step" = 'PAY';--> statement-breakpoint
CREATE UNIQUE INDEX "scheduled_payments_owner_key_idx" ON "scheduled_payments" USING btree ("owner_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "scheduled_payments_wallet_idx" ON "scheduled_payments" USING btree ("wallet_id","created_at");--> statement-breakpoint
CREATE INDEX "scheduled_payments_due_idx" ON "scheduled_payments" USING btree ("next_run_at") WHERE "scheduled_payments"."status" = 'ACTIVE';--> statement-breakpoint
CREATE INDEX "operations_schedule_page_idx" ON "operations" USING btree ("schedule_id","created_at","id") WHERE "operations"."schedule_id" is not null;--> statement-breakpoint
CREATE INDEX "operations_jar_spend_idx" ON "operations" USING btree ("jar_id","created_at") WHERE "operations"."kind" in ('JAR_SPEND', 'BILL_PAYMENT');