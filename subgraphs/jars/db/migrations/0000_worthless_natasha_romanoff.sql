CREATE TABLE "inbox" (
	"consumer" text NOT NULL,
	"message_id" uuid NOT NULL,
	"type" text NOT NULL,
	"handled_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "inbox_consumer_message_id_pk" PRIMARY KEY("consumer","message_id")
);
--> statement-breakpoint
CREATE TABLE "jars" (
	"id" uuid PRIMARY KEY NOT NULL,
	"wallet_id" uuid NOT NULL,
	"owner_id" uuid NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"status" text DEFAULT 'ACTIVE' NOT NULL,
	"is_default" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"id" uuid NOT NULL,
	"type" text NOT NULL,
	"envelope" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_at" timestamp with time zone,
	CONSTRAINT "outbox_id_unique" UNIQUE("id")
);
--> statement-breakpoint
CREATE TABLE "wallet_projection" (
	"wallet_id" uuid PRIMARY KEY NOT NULL,
	"owner_id" uuid NOT NULL,
	"currency" text NOT NULL,
	"opened_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "jars" ADD CONSTRAINT "jars_wallet_id_wallet_projection_wallet_id_fk" FOREIGN KEY ("wallet_id") REFERENCES "public"."wallet_projection"("wallet_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "jars_wallet_idx" ON "jars" USING btree ("wallet_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "jars_one_default_per_wallet" ON "jars" USING btree ("wallet_id") WHERE "jars"."is_default";--> statement-breakpoint
CREATE INDEX "outbox_unpublished_idx" ON "outbox" USING btree ("seq") WHERE "outbox"."published_at" is null;