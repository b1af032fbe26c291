CREATE TABLE "live_feed" (
	"user_id" uuid NOT NULL,
	"seq" bigint NOT NULL,
	"topic" text NOT NULL,
	"object_id" uuid,
	"notice" jsonb NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_at" timestamp with time zone,
	CONSTRAINT "live_feed_user_id_seq_pk" PRIMARY KEY("user_id","seq")
);
--> statement-breakpoint
CREATE TABLE "live_feed_heads" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"last_seq" bigint NOT NULL,
	"pruned_through" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX "live_feed_at_idx" ON "live_feed" USING btree ("at");--> statement-breakpoint
CREATE INDEX "live_feed_unpublished_idx" ON "live_feed" USING btree ("at") WHERE "live_feed"."published_at" is null;