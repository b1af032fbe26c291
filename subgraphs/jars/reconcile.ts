import { sum } from 'drizzle-orm';
import type { JarsExecutor } from './context.ts';
import { jarMovements, jars } from './db/schema.ts';

/** A jar whose projected balance (the sum of its projected movements) differs from its ledger account. */
export interface JarDrift {
  jarId: string;
  projected: bigint;
  ledger: bigint;
}

/** Each jar's balance as the jars subgraph has projected it from `ledger.posted.v1` (jars' own database). */
export async function projectedJarBalances(db: JarsExecutor): Promise<Map<string, bigint>> {
  const all = await db.select({ id: jars.id }).from(jars);
  const sums = await db
    .select({ jarId: jarMovements.jarId, total: sum(jarMovements.deltaMinor) })
    .from(jarMovements)
    .groupBy(jarMovements.jarId);
  const balances = new Map(all.map((j) => [j.id, 0n]));
  for (const s of sums) balances.set(s.jarId, BigInt(s.total ?? 0));
  return balances;
}

/**
 * The jars whose projection disagrees with the ledger. A jar the ledger has no account for yet
 * counts as zero there (its `jar_created` is on its way); a ledger jar account unknown to the
 * projection counts as zero here.
 */
export function jarDrift(
  projected: ReadonlyMap<string, bigint>,
  ledger: ReadonlyMap<string, bigint>,
): JarDrift[] {
  const ids = new Set([...projected.keys(), ...ledger.keys()]);
  return [...ids]
    .sort()
    .map((jarId) => ({ jarId, projected: projected.get(jarId) ?? 0n, ledger: ledger.get(jarId) ?? 0n }))
    .filter((d) => d.projected !== d.ledger);
}
