import { v7 as uuidv7 } from 'uuid';
import { type EventData, type EventType, eventCatalog, isEventType } from './catalog.ts';
import { type Envelope, envelopeSchema } from './envelope.ts';

export {
  type AccountName,
  type ExternalPurpose,
  externalPurposes,
  isAccountName,
  isExternalAccount,
  isHoldAccount,
  jarOfAccount,
  ledgerAccount,
  parseAccount,
} from './accounts.ts';
export type { AddressedLiveNotice } from './catalog/live.ts';
export {
  type EventData,
  type EventType,
  eventCatalog,
  eventTypes,
  isEventType,
  ledgerRejectionReasons,
  type OperationKind,
  operationKinds,
  walletCloseRefusalReasons,
} from './catalog.ts';
export { type Envelope, envelopeSchema } from './envelope.ts';
export {
  createLiveNotice,
  InvalidLiveNoticeError,
  type LiveNotice,
  type LiveNoticeMessage,
  type LiveTopic,
  liveNoticeObjectId,
  liveNotices,
  liveTopics,
  readLiveNotice,
} from './live-notices.ts';
export { bindingOf, routingKeyOf, topicMatches } from './routing.ts';

/** An envelope whose data has been validated against its type's contract. */
export type Event<T extends EventType = EventType> = { [K in T]: Envelope<K, EventData<K>> }[T];

/** Where an event came from: the request or message that caused it. */
export interface EventMeta {
  correlationId: string;
  causationId?: string | null;
  traceparent?: string | null;
}

/** Thrown when a body is not a valid envelope of a known type; a consumer dead-letters it. */
export class InvalidEventError extends Error {
  /** The schema's issues, naming the offending fields. */
  readonly issues: unknown;
  // No parameter property: Node's type stripping (erasableSyntaxOnly) cannot run one.
  constructor(message: string, issues: unknown = undefined) {
    super(message);
    this.name = 'InvalidEventError';
    this.issues = issues;
  }
}

/**
 * Builds a validated envelope. Throws InvalidEventError when `data` breaks the contract, so a
 * bad event never reaches the outbox.
 */
export function createEvent<T extends EventType>(
  type: T,
  fields: { aggregateId: string; aggregateVersion?: number; data: EventData<T>; occurredAt?: Date },
  meta: EventMeta,
): Event<T> {
  const contract = eventCatalog[type];
  const parsed = contract.data.safeParse(fields.data);
  if (!parsed.success) throw new InvalidEventError(`invalid ${type} payload`, parsed.error.issues);
  return {
    id: uuidv7(),
    type,
    occurredAt: (fields.occurredAt ?? new Date()).toISOString(),
    aggregateType: contract.aggregateType,
    aggregateId: fields.aggregateId,
    aggregateVersion: fields.aggregateVersion ?? 0,
    correlationId: meta.correlationId,
    causationId: meta.causationId ?? null,
    traceparent: meta.traceparent ?? null,
    data: parsed.data,
  } as Event<T>;
}

/** Validates an envelope read off the wire (or the outbox) against its type's contract. */
export function parseEvent(raw: unknown): Event {
  const envelope = envelopeSchema.safeParse(raw);
  if (!envelope.success) throw new InvalidEventError('invalid envelope', envelope.error.issues);
  const { type } = envelope.data;
  if (!isEventType(type)) throw new InvalidEventError(`unknown event type ${type}`);
  const data = eventCatalog[type].data.safeParse(envelope.data.data);
  if (!data.success) throw new InvalidEventError(`invalid ${type} payload`, data.error.issues);
  return { ...envelope.data, data: data.data } as Event;
}

/** The meta for an event caused by another: same correlation, the cause's id as causation. */
export function causedBy(cause: Envelope): EventMeta {
  return { correlationId: cause.correlationId, causationId: cause.id, traceparent: cause.traceparent };
}

/** Time-ordered uuid v7: ids for events and rows. */
export { uuidv7 };
