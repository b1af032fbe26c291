CREATE TABLE "journal_entries" (
	"id" uuid PRIMARY KEY NOT NULL,
	"sequence" bigserial NOT NULL,
	"idempotency_key" text NOT NULL,
	"request_hash" text NOT NULL,
	"operation_id" uuid,
	"description" text NOT NULL,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "journal_entries_sequence_unique" UNIQUE("sequence"),
	CONSTRAINT "journal_entries_idempotency_key_unique" UNIQUE("idempotency_key"),
	CONSTRAINT "journal_entries_id_sequence_unique" UNIQUE("id","sequence")
);
--> statement-breakpoint
CREATE TABLE "ledger_commands" (
	"idempotency_key" text PRIMARY KEY NOT NULL,
	"request_hash" text NOT NULL,
	"outcome" text NOT NULL,
	"reason" text,
	"detail" text,
	"entry_id" uuid,
	"decided_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ledger_commands_outcome_shape" CHECK (("ledger_commands"."outcome" = 'POSTED' and "ledger_commands"."entry_id" is not null and "ledger_commands"."reason" is null)
        or ("ledger_commands"."outcome" = 'REJECTED' and "ledger_commands"."entry_id" is null and "ledger_commands"."reason" is not null))
);
--> statement-breakpoint
CREATE TABLE "postings" (
	"entry_id" uuid NOT NULL,
	"line" integer NOT NULL,
	"sequence" bigint NOT NULL,
	"account_id" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"balance_after" bigint,
	CONSTRAINT "postings_entry_id_line_pk" PRIMARY KEY("entry_id","line"),
	CONSTRAINT "postings_amount_nonzero" CHECK ("postings"."amount" <> 0)
);
--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "closed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "ledger_commands" ADD CONSTRAINT "ledger_commands_entry_id_journal_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."journal_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "postings" ADD CONSTRAINT "postings_entry_fk" FOREIGN KEY ("entry_id","sequence") REFERENCES "public"."journal_entries"("id","sequence") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "postings_account_sequence_idx" ON "postings" USING btree ("account_id","sequence");--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_balance_allowed" CHECK (case when "accounts"."kind" = 'EXTERNAL' then "accounts"."balance" = 0 else "accounts"."balance" >= 0 end);