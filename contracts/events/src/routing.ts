import { jarOfAccount } from './accounts.ts';
import type { EventData, EventType } from './catalog.ts';

/**
 * Routing keys. An event travels under its type, followed, for the types below, by words
 * that say what it concerns (its topic), so a consumer's queue can be bound to just the events
 * it acts on (`ledger.posted.v1.*.jars`) and the broker never delivers the rest. A consumer of
 * every event of a type binds `<type>.#`, which matches the type with any topic or none.
 * The words of a type are fixed in number and order; adding one is a new version of the
 * routing, not of the payload, and every binding that names the type must follow. An event
 * no queue is bound for lands in the exchange's unroutable queue: narrow bindings must leave
 * none of a type's events without a consumer.
 */
const topics: { [T in EventType]?: (data: EventData<T>) => string } = {
  /**
   * `<origin>.<reach>`: origin `operation` when the entry carries out an operation of the
   * transactions subgraph (its settlement waits for it), else `internal` (an allocation, a
   * sweep); reach `jars` when a posting moves a jar's money, else `wallets`. Every entry is
   * either an operation's or moves a jar's money, so each has a consumer.
   */
  'ledger.posted.v1': (data) =>
    `${data.operationId ? 'operation' : 'internal'}.${data.postings.some((p) => jarOfAccount(p.account) !== null) ? 'jars' : 'wallets'}`,
  /** `<kind>.<status>` in lower case: `transfer.completed`, `deposit.failed`, … */
  'transactions.operation_settled.v1': (data) => `${data.kind.toLowerCase()}.${data.status.toLowerCase()}`,
};

/** The routing key an event travels under: its type, then its topic's words if it has one. */
export function routingKeyOf<T extends EventType>(event: { type: T; data: EventData<T> }): string {
  const topic = topics[event.type] as ((data: EventData<T>) => string) | undefined;
  return topic ? `${event.type}.${topic(event.data)}` : event.type;
}

/**
 * The binding of a queue to `type` narrowed by `pattern` over its topic's words (`*` one
 * word, `#` any number); `#` alone takes every event of the type.
 */
export function bindingOf(type: EventType, pattern = '#'): string {
  return `${type}.${pattern}`;
}

/**
 * Whether a routing key matches a binding, as RabbitMQ's topic exchange decides: words split
 * on `.`, `*` matches exactly one word, `#` zero or more.
 */
export function topicMatches(pattern: string, key: string): boolean {
  if (!pattern.includes('*') && !pattern.includes('#')) return pattern === key;
  return matchWords(pattern.split('.'), 0, key.split('.'), 0);
}

function matchWords(p: string[], i: number, k: string[], j: number): boolean {
  if (i === p.length) return j === k.length;
  const word = p[i];
  if (word === '#') {
    for (let skip = j; skip <= k.length; skip++) if (matchWords(p, i + 1, k, skip)) return true;
    return false;
  }
  if (j === k.length) return false;
  return (word === '*' || word === k[j]) && matchWords(p, i + 1, k, j + 1);
}
