import type { z } from 'zod';
import { identityEvents } from './catalog/identity.ts';
import { jarsEvents } from './catalog/jars.ts';
import { ledgerEvents } from './catalog/ledger.ts';
import { liveEvents } from './catalog/live.ts';
import { transactionsEvents } from './catalog/transactions.ts';
import { walletEvents } from './catalog/wallet.ts';

export {
  ledgerRejectionReasons,
  type OperationKind,
  operationKinds,
  walletCloseRefusalReasons,
} from './catalog/fields.ts';

/**
 * Every integration event and command, by type, gathered from the file of the context that
 * publishes it (catalog/<context>.ts). The type begins its AMQP routing key (routing.ts).
 * A breaking change to a payload is a new version (`.v2`), published beside the old one
 * until every consumer has moved.
 */
export const eventCatalog = {
  ...identityEvents,
  ...walletEvents,
  ...jarsEvents,
  ...ledgerEvents,
  ...transactionsEvents,
  ...liveEvents,
} as const satisfies Record<string, { aggregateType: string; data: z.ZodType }>;

export type EventType = keyof typeof eventCatalog;
export type EventData<T extends EventType> = z.infer<(typeof eventCatalog)[T]['data']>;

export const eventTypes = Object.keys(eventCatalog) as EventType[];

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(eventCatalog, type);
}
