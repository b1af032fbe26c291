DROP INDEX "live_feed_unpublished_idx";--> statement-breakpoint
ALTER TABLE "live_feed" DROP COLUMN "published_at";