import { waitFor } from '@walletgraph/platform/test/support/infra';
import { type RecordedSpan, recordSpans } from '@walletgraph/platform/test/support/spans';
import { useForSuite } from '@walletgraph/platform/test/support/use-for-suite';
import { describe, expect, it } from 'vitest';
import { startInProcessRealStack } from '../support/in-process-stack.ts';
import { deposit, newKey, person, settled, transfer } from '../support/money.ts';

/**
 * OpenTelemetry traces (docs/tracing.md) in real mode: Postgres, RabbitMQ and Redis, each subgraph
 * on its own port and the gateway calling them over HTTP, all in this process so that one
 * in-memory exporter sees every service's spans.
 */

// Registered before the stack starts, and (hooks unwind in reverse) unregistered after it stopped.
const recorder = useForSuite(async () => recordSpans());
const stack = useForSuite(() => startInProcessRealStack(), { startMs: 180_000, stopMs: 60_000 });

const SERVER = 1;
const CLIENT = 2;
const PRODUCER = 3;
const CONSUMER = 4;

/** A span's ancestors in `trace`, nearest first. */
function ancestors(trace: RecordedSpan[], span: RecordedSpan): RecordedSpan[] {
  const byId = new Map(trace.map((s) => [s.spanId, s]));
  const line: RecordedSpan[] = [];
  for (let s = byId.get(span.parentSpanId ?? ''); s; s = byId.get(s.parentSpanId ?? '')) line.push(s);
  return line;
}

/**
 * The transfer's trace once it is whole (each span's parent in it) and has come back: the live
 * feed has recorded a notice of the settlement, the last step this test follows.
 */
function transferTrace(spans: RecordedSpan[]): RecordedSpan[] | undefined {
  const root = spans.find((s) => s.name === 'mutation Transfer' && s.kind === SERVER);
  if (!root) return undefined;
  const trace = spans.filter((s) => s.traceId === root.traceId);
  const ids = new Set(trace.map((s) => s.spanId));
  const whole = trace.every((s) => s === root || (s.parentSpanId !== undefined && ids.has(s.parentSpanId)));
  return whole && backAtTheLiveFeed(trace) ? trace : undefined;
}

/** The live feed's handling of a notice the settlement wrote. */
function backAtTheLiveFeed(trace: RecordedSpan[]): RecordedSpan | undefined {
  return trace.find(
    (s) =>
      s.name === `${stack.exchange}.identity.live-feed process` &&
      ancestors(trace, s).some((a) => a.name === `${stack.exchange}.transactions.settlement process`),
  );
}

describe('tracing one transfer', () => {
  it('follows a transfer in one trace from the gateway through the ledger and back to the live feed', async () => {
    const ada = await person(stack, 'ada');
    const bob = await person(stack, 'bob');
    await settled(ada.client, await deposit(ada, 5000n));
    const op = await settled(ada.client, await transfer(ada, bob, 1200n, newKey('traced')));
    expect(op.status).toBe('COMPLETED');

    const trace = await waitFor('the transfer’s whole trace', async () => transferTrace(recorder.spans()), {
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    const parentOf = (s: RecordedSpan) => (s.parentSpanId ? byId.get(s.parentSpanId) : undefined);
    const one = (what: string, test: (s: RecordedSpan) => boolean) => {
      const found = trace.filter(test);
      expect(found, what).not.toHaveLength(0);
      return found[0]!;
    };

    // The gateway's server span is the root: the client sent no traceparent.
    const root = one('the gateway’s server span', (s) => s.name === 'mutation Transfer');
    expect(root.parentSpanId).toBeUndefined();
    expect(root.attributes).toMatchObject({ 'graphql.operation.type': 'mutation' });

    // The gateway calls transactions in a client span, which the subgraph's server span continues.
    const call = one(
      'the call to transactions',
      (s) => s.name === 'subgraph transactions' && s.kind === CLIENT,
    );
    const subgraph = one(
      'transactions’ server span',
      (s) => s.kind === SERVER && s.name.startsWith('mutation Transfer__transactions'),
    );
    expect(parentOf(subgraph)).toBe(call);

    // Its SQL: one span per statement, named and attributed by its first keyword, no values.
    const sql = trace.filter((s) => s.attributes['db.system.name'] === 'postgresql');
    expect(sql.some((s) => parentOf(s) === subgraph)).toBe(true);
    for (const s of sql) {
      expect(s.kind).toBe(CLIENT);
      expect(Object.keys(s.attributes).sort()).toEqual(['db.operation.name', 'db.system.name']);
      expect(s.name).toBe(s.attributes['db.operation.name']);
    }

    // The ledger command leaves through the outbox and RabbitMQ, and the ledger takes it up.
    const published = one(
      'the ledger command’s publish',
      (s) => s.kind === PRODUCER && s.attributes['walletgraph.event.type'] === 'ledger.post.v1',
    );
    expect(published.name).toBe(`${stack.exchange} publish`);
    expect(published.attributes).toMatchObject({
      'messaging.system': 'rabbitmq',
      'messaging.destination.name': stack.exchange,
    });
    const ledger = one(
      'the ledger’s handling',
      (s) => s.name === `${stack.exchange}.ledger.commands process`,
    );
    expect(ledger.kind).toBe(CONSUMER);
    expect(ledger.attributes).toMatchObject({
      'messaging.system': 'rabbitmq',
      'messaging.destination.name': `${stack.exchange}.ledger.commands`,
      'walletgraph.event.type': 'ledger.post.v1',
    });
    expect(sql.some((s) => parentOf(s) === ledger)).toBe(true);

    // The way back: the ledger's answer settles the operation, which the live feed records.
    const settlement = one(
      'the settlement',
      (s) =>
        s.name === `${stack.exchange}.transactions.settlement process` &&
        s.attributes['walletgraph.event.type'] === 'ledger.posted.v1',
    );
    expect(sql.some((s) => parentOf(s) === settlement)).toBe(true);
    const feed = backAtTheLiveFeed(trace)!;
    expect(feed.kind).toBe(CONSUMER);

    // From the live feed back up to the gateway, one parent at a time, through every step.
    const path = ancestors(trace, feed);
    expect(path).toContain(settlement);
    expect(path).toContain(ledger);
    expect(path).toContain(subgraph);
    expect(path.at(-1)).toBe(root);
  });
});
