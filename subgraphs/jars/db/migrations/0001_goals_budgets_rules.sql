CREATE TABLE "allocation_rules" (
	"wallet_id" uuid NOT NULL,
	"jar_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"percent" integer,
	"fixed_minor" bigint,
	CONSTRAINT "allocation_rules_wallet_id_jar_id_pk" PRIMARY KEY("wallet_id","jar_id"),
	CONSTRAINT "allocation_rules_one_kind" CHECK (("allocation_rules"."percent" is null) <> ("allocation_rules"."fixed_minor" is null) and coalesce("allocation_rules"."percent", 1) between 1 and 100 and coalesce("allocation_rules"."fixed_minor", 1) > 0)
);
--> statement-breakpoint
CREATE TABLE "budget_alerts" (
	"jar_id" uuid NOT NULL,
	"period_start" timestamp with time zone NOT NULL,
	"threshold_percent" integer NOT NULL,
	"spent_minor" bigint NOT NULL,
	"reached_at" timestamp with time zone NOT NULL,
	CONSTRAINT "budget_alerts_jar_id_period_start_threshold_percent_pk" PRIMARY KEY("jar_id","period_start","threshold_percent")
);
--> statement-breakpoint
CREATE TABLE "jar_movements" (
	"jar_id" uuid NOT NULL,
	"entry_id" uuid NOT NULL,
	"delta_minor" bigint NOT NULL,
	"kind" text NOT NULL,
	"sequence" bigint NOT NULL,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "jar_movements_jar_id_entry_id_pk" PRIMARY KEY("jar_id","entry_id")
);
--> statement-breakpoint
CREATE TABLE "period_moves" (
	"jar_id" uuid NOT NULL,
	"period_end" timestamp with time zone NOT NULL,
	"action" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"amount_minor" bigint,
	"decided_at" timestamp with time zone NOT NULL,
	CONSTRAINT "period_moves_jar_id_period_end_action_pk" PRIMARY KEY("jar_id","period_end","action"),
	CONSTRAINT "period_moves_idempotency_key_unique" UNIQUE("idempotency_key")
);
--> statement-breakpoint
-- Existing jars take their wallet's currency before the column becomes NOT NULL.
ALTER TABLE "jars" ADD COLUMN "currency" text;--> statement-breakpoint
UPDATE "jars" SET "currency" = w."currency" FROM "wallet_projection" w WHERE w."wallet_id" = "jars"."wallet_id";--> statement-breakpoint
ALTER TABLE "jars" ALTER COLUMN "currency" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "jars" ADD COLUMN "goal_target_minor" bigint;--> statement-breakpoint
ALTER TABLE "jars" ADD COLUMN "goal_deadline" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "jars" ADD COLUMN "goal_achieved_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "jars" ADD COLUMN "budget_limit_minor" bigint;--> statement-breakpoint
ALTER TABLE "jars" ADD COLUMN "budget_period" text;--> statement-breakpoint
ALTER TABLE "jars" ADD COLUMN "budget_thresholds" integer[];--> statement-breakpoint
ALTER TABLE "jars" ADD COLUMN "rolls_over" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "jars" ADD COLUMN "archived_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "allocation_rules" ADD CONSTRAINT "allocation_rules_jar_id_jars_id_fk" FOREIGN KEY ("jar_id") REFERENCES "public"."jars"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "jar_movements_time_idx" ON "jar_movements" USING btree ("jar_id","at");--> statement-breakpoint
ALTER TABLE "jars" ADD CONSTRAINT "jars_goal_positive" CHECK ("jars"."goal_target_minor" is null or "jars"."goal_target_minor" > 0);--> statement-breakpoint
ALTER TABLE "jars" ADD CONSTRAINT "jars_budget_positive" CHECK ("jars"."budget_limit_minor" is null or "jars"."budget_limit_minor" > 0);