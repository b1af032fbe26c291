-- The per-statement posting checks (0002) found the postings of the entries a statement
-- inserted with `entry_id IN (SELECT … FROM inserted)`. PL/pgSQL keeps a generic plan of each
-- query per connection, and once the planner knew postings to be large it sometimes chose a
-- merge join that walked the whole primary-key index (new entries, with time-ordered ids, sort
-- last): tens of thousands of index entries per batch, growing with the ledger. An array from
-- a subquery is estimated at a few elements, so each entry's postings are found by an index
-- probe whatever the table's size. Same checks, same errors.
CREATE OR REPLACE FUNCTION ledger_check_inserted_postings() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  entries uuid[];
  bad record;
BEGIN
  entries := ARRAY(SELECT DISTINCT i.entry_id FROM inserted i);
  SELECT p.entry_id, p.currency, sum(p.amount) AS off INTO bad
    FROM postings p
   WHERE p.entry_id = ANY (entries)
   GROUP BY p.entry_id, p.currency
  HAVING sum(p.amount) <> 0
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'ledger: entry % does not balance in % (off by %)', bad.entry_id, bad.currency, bad.off
      USING ERRCODE = 'check_violation';
  END IF;
  SELECT p.entry_id INTO bad
    FROM postings p
   WHERE p.entry_id = ANY (entries)
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
