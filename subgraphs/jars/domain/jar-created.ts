import type { EventData } from '@walletgraph/events';
import type { JarRow } from '../db/schema.ts';

export type JarCreated = EventData<'jars.jar_created.v1'>;

/**
 * The `jars.jar_created.v1` payload announcing a jar. An EXPENSE jar carries its budget, so the
 * transactions subgraph can refuse spends past a limit that blocks overspending without asking
 * jars at request time; any other jar says `budget: null` outright rather than leaving it out.
 */
export function jarCreatedData(
  jar: Pick<
    JarRow,
    | 'id'
    | 'walletId'
    | 'ownerId'
    | 'name'
    | 'kind'
    | 'currency'
    | 'budgetLimitMinor'
    | 'budgetPeriod'
    | 'blocksOverspend'
  >,
): JarCreated {
  const budget =
    jar.kind === 'EXPENSE' && jar.budgetLimitMinor !== null && jar.budgetPeriod !== null
      ? {
          limit: jar.budgetLimitMinor.toString(),
          period: jar.budgetPeriod,
          blocksOverspend: jar.blocksOverspend,
        }
      : null;
  return {
    jarId: jar.id,
    walletId: jar.walletId,
    ownerId: jar.ownerId,
    name: jar.name,
    kind: jar.kind,
    currency: jar.currency,
    budget,
  };
}
