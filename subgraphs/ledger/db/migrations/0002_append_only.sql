-- The journal is append-only and balanced, enforced by the database itself, so that no code path
-- (a bug, a hand-written fix, a future service) can rewrite history or book money out of nothing.
-- A mistake is corrected by a new entry (docs/architecture.md §4).

CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger: % is append-only; % refused (correct a mistake with a new entry)', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'restrict_violation';
END
$$;
--> statement-breakpoint
CREATE TRIGGER journal_entries_append_only BEFORE UPDATE OR DELETE ON journal_entries
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER journal_entries_no_truncate BEFORE TRUNCATE ON journal_entries
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER postings_append_only BEFORE UPDATE OR DELETE ON postings
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER postings_no_truncate BEFORE TRUNCATE ON postings
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER ledger_commands_append_only BEFORE UPDATE OR DELETE ON ledger_commands
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER ledger_commands_no_truncate BEFORE TRUNCATE ON ledger_commands
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint

-- Checked at insert time, once per statement (the posting transaction inserts a whole batch's
-- postings in one): every entry touched balances per currency and has at least two postings.
-- A posting added to an entry by a later statement is checked against all of the entry's postings.
CREATE FUNCTION ledger_check_inserted_postings() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  SELECT p.entry_id, p.currency, sum(p.amount) AS off INTO bad
    FROM postings p
   WHERE p.entry_id IN (SELECT DISTINCT i.entry_id FROM inserted i)
   GROUP BY p.entry_id, p.currency
  HAVING sum(p.amount) <> 0
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'ledger: entry % does not balance in % (off by %)', bad.entry_id, bad.currency, bad.off
      USING ERRCODE = 'check_violation';
  END IF;
  SELECT p.entry_id INTO bad
    FROM postings p
   WHERE p.entry_id IN (SELECT DISTINCT i.entry_id FROM inserted i)
   GROUP BY p.entry_id
  HAVING count(*) < 2
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'ledger: entry % has fewer than two postings', bad.entry_id
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER postings_balanced AFTER INSERT ON postings
  REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_check_inserted_postings();
--> statement-breakpoint

-- Checked at commit: an entry without postings (or with fewer than two) never commits.
CREATE FUNCTION ledger_check_entry_has_postings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT count(*) FROM postings p WHERE p.entry_id = NEW.id) < 2 THEN
    RAISE EXCEPTION 'ledger: entry % has fewer than two postings', NEW.id
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER journal_entries_have_postings AFTER INSERT ON journal_entries
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION ledger_check_entry_has_postings();
