import { rowsOf } from '@walletgraph/platform/db/rows';
import { sql } from 'drizzle-orm';
import type { LedgerTx } from '../context.ts';
import { heldKey, type LedgerCommand } from '../domain/command.ts';

/**
 * For each sweep `asOf` a moment among `commands`: what its jar held at that moment (its
 * balance after the last entry before it) less what has left the jar since (every debit after
 * it: spends, releases, moves out, earlier sweeps), by `heldKey`. Read under the batch's locks on
 * the jars, so no entry on them can land in between. One query per sweep; sweeps are rare (period
 * ends, a few per jar and month).
 */
export async function heldSince(
  tx: LedgerTx,
  commands: readonly LedgerCommand[],
): Promise<Map<string, bigint>> {
  const held = new Map<string, bigint>();
  for (const command of commands) {
    if (command.kind !== 'SWEEP' || !command.asOf) continue;
    const key = heldKey(command)!;
    if (held.has(key)) continue;
    const asOf = command.asOf.toISOString();
    const result = await tx.execute(sql`
      select (
        coalesce((select p.balance_after from postings p join journal_entries e on e.id = p.entry_id
                  where p.account_id = ${command.from} and e.occurred_at < ${asOf}::timestamptz
                  order by p.sequence desc limit 1), 0)
        + coalesce((select sum(p.amount) from postings p join journal_entries e on e.id = p.entry_id
                    where p.account_id = ${command.from} and e.occurred_at >= ${asOf}::timestamptz
                      and p.amount < 0), 0)
      )::text as held`);
    const [row] = rowsOf<{ held: string }>(result);
    held.set(key, BigInt(row?.held ?? '0'));
  }
  return held;
}
