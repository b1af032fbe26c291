import type { Database } from '@walletgraph/platform/db/database';
import { rowsOf } from '@walletgraph/platform/db/rows';
import { type SQL, sql } from 'drizzle-orm';
import type { LedgerSchema } from '../context.ts';

/** One broken rule, found by `checkLedger`. */
export interface Violation {
  check: InvariantName;
  /** The entry, account or currency at fault. */
  subject: string;
  detail: string;
}

export interface LedgerReport {
  ok: boolean;
  counts: { entries: number; postings: number; accounts: number };
  /** Every check that ran, with how many violations it found (at most `LIMIT` are listed). */
  checks: Record<InvariantName, number>;
  violations: Violation[];
}

/** Violations listed per check; a count of them all is reported either way. */
const LIMIT = 50;

type Row = { subject: string; detail: string };

/**
 * The ledger's invariants, each a query that returns what breaks it (subject, detail). The
 * database enforces most of them on write (triggers, checks); this verifies the data as it is,
 * whatever wrote it, and is what an operator runs after an incident.
 */
const invariants = {
  /** Every entry's postings sum to zero in each currency. */
  'entries balance': sql`
    select entry_id::text as subject, currency || ' off by ' || sum(amount)::text as detail
    from postings group by entry_id, currency having sum(amount) <> 0`,
  /** Every entry has at least two postings. */
  'entries have two postings': sql`
    select e.id::text as subject, count(p.entry_id)::text || ' posting(s)' as detail
    from journal_entries e left join postings p on p.entry_id = e.id
    group by e.id having count(p.entry_id) < 2`,
  /** Each currency sums to zero over the whole ledger, external accounts included: money is conserved. */
  'currencies sum to zero': sql`
    select currency as subject, 'all postings sum to ' || sum(amount)::text as detail
    from postings group by currency having sum(amount) <> 0`,
  /** A stored balance is the sum of its postings; external accounts store none (0). */
  'stored balances match postings': sql`
    select a.id as subject,
           'stored ' || a.balance::text || ', postings sum to ' || coalesce(s.total, 0)::text as detail
    from accounts a left join (select account_id, sum(amount) as total from postings group by account_id) s
      on s.account_id = a.id
    where (a.kind <> 'EXTERNAL' and a.balance <> coalesce(s.total, 0)) or (a.kind = 'EXTERNAL' and a.balance <> 0)`,
  /** Only external accounts may be below zero, stored or derived. */
  'no negative balances': sql`
    select a.id as subject, 'stored ' || a.balance::text || ', postings sum to ' || coalesce(s.total, 0)::text as detail
    from accounts a left join (select account_id, sum(amount) as total from postings group by account_id) s
      on s.account_id = a.id
    where a.kind <> 'EXTERNAL' and (a.balance < 0 or coalesce(s.total, 0) < 0)`,
  /**
   * A closed account holds nothing: a wallet closes only when all its accounts are at zero, and an
   * archived jar's balance is swept back to available before it closes. Money in a closed account
   * could never be moved again.
   */
  'closed accounts are empty': sql`
    select a.id as subject, 'closed at ' || a.closed_at::text || ' holding ' || a.balance::text as detail
    from accounts a where a.closed_at is not null and a.balance <> 0`,
  /**
   * A hold holding money is one its operation has yet to settle (capture or release), and it has
   * until its expiry to do so: one past it, or placed without one, is money stuck out of its
   * owner's reach. `now()` is the check's own transaction start, the instant its snapshot shows.
   */
  'holds are settled or younger than their expiry': sql`
    select a.id as subject,
           'holding ' || a.balance::text || ', ' || coalesce('expired at ' || a.expires_at::text, 'no expiry') as detail
    from accounts a
    where a.kind = 'HOLD' and a.balance <> 0 and (a.expires_at is null or a.expires_at <= now())`,
  /** Every posting names an existing account, in that account's currency. */
  'postings match their accounts': sql`
    select distinct p.account_id as subject,
           case when a.id is null then 'no such account'
                else 'posted in ' || p.currency || ', account holds ' || a.currency end as detail
    from postings p left join accounts a on a.id = p.account_id
    where a.id is null or a.currency <> p.currency`,
  /** Each posting's balance_after (the statement's running balance) is the account's running sum. */
  'running balances match postings': sql`
    select r.account_id || ' @ ' || r.sequence::text as subject,
           'balance_after ' || coalesce(r.balance_after::text, 'null') || ', running sum ' || r.running::text as detail
    from (
      select p.account_id, p.sequence, p.balance_after,
             sum(p.amount) over (partition by p.account_id order by p.sequence) as running
      from postings p join accounts a on a.id = p.account_id
      where a.kind <> 'EXTERNAL'
    ) r
    where r.balance_after is distinct from r.running`,
} satisfies Record<string, SQL>;

export type InvariantName = keyof typeof invariants;

/**
 * Checks every invariant of the ledger in one read-only, repeatable-read snapshot, so a ledger
 * busy posting is checked as of one instant and never reported broken by a half-seen batch.
 */
export async function checkLedger(db: Database<LedgerSchema>): Promise<LedgerReport> {
  return db.transaction(
    async (tx) => {
      const checks = {} as Record<InvariantName, number>;
      const violations: Violation[] = [];
      for (const [name, query] of Object.entries(invariants) as [InvariantName, SQL][]) {
        const [count] = rowsOf<{ n: string }>(
          await tx.execute(sql`select count(*)::text as n from (${query}) v`),
        );
        checks[name] = Number(count?.n ?? 0);
        if (checks[name] === 0) continue;
        const rows = rowsOf<Row>(await tx.execute(sql`${query} limit ${LIMIT}`));
        violations.push(...rows.map((r) => ({ check: name, subject: r.subject, detail: r.detail })));
      }
      const [c] = rowsOf<{ entries: string; postings: string; accounts: string }>(
        await tx.execute(sql`select
          (select count(*) from journal_entries)::text as entries,
          (select count(*) from postings)::text as postings,
          (select count(*) from accounts)::text as accounts`),
      );
      return {
        ok: Object.values(checks).every((n) => n === 0),
        counts: { entries: Number(c?.entries), postings: Number(c?.postings), accounts: Number(c?.accounts) },
        checks,
        violations,
      };
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}

/** The report as an operator reads it. */
export function formatReport(report: LedgerReport): string {
  const { entries, postings, accounts } = report.counts;
  const lines = [`ledger check: ${entries} entries, ${postings} postings, ${accounts} accounts`];
  for (const [name, n] of Object.entries(report.checks)) {
    lines.push(`  ${n === 0 ? 'ok  ' : 'FAIL'} ${name}${n === 0 ? '' : ` (${n})`}`);
    for (const v of report.violations.filter((x) => x.check === name))
      lines.push(`         ${v.subject}: ${v.detail}`);
  }
  lines.push(report.ok ? 'all invariants hold' : 'INVARIANTS VIOLATED');
  return lines.join('\n');
}
