ALTER TABLE "jar_projection" ADD COLUMN "budget_limit_minor" bigint;--> statement-breakpoint
ALTER TABLE "jar_projection" ADD COLUMN "budget_period" text;--> statement-breakpoint
ALTER TABLE "jar_projection" ADD COLUMN "blocks_overspend" boolean;--> statement-breakpoint
CREATE INDEX "operations_jar_spend_idx" ON "operations" USING btree ("jar_id","created_at") WHERE "operations"."kind" = 'JAR_SPEND';--> statement-breakpoint
ALTER TABLE "jar_projection" ADD CONSTRAINT "jar_projection_budget_whole" CHECK (("jar_projection"."budget_limit_minor" is null) = ("jar_projection"."budget_period" is null) and ("jar_projection"."budget_limit_minor" is null) = ("jar_projection"."blocks_overspend" is null));