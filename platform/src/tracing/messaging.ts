import { context, propagation, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { tracingOn } from '../tracing.ts';
import { tracer, within } from './tracer.ts';

// How a trace crosses the broker (docs/tracing.md): the envelope carries the W3C `traceparent`
// of the span that enqueued it; the producer span of its publish and the consumer span of its
// handling are both children of that context, so one trace follows a mutation through every
// consumer it causes.

/** The W3C traceparent of the active span, or null when none is (tracing off, no span). */
function activeTraceparent(): string | null {
  const carrier: { traceparent?: string } = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ?? null;
}

const traceIdOf = (traceparent: string) => traceparent.slice(3, 35);

/**
 * The envelope as the outbox records it: carrying the active span's context as `traceparent`,
 * so its consumers continue the trace of whatever enqueued it. An envelope already in another
 * trace (one event of a batch that mixes messages of several traces) keeps its own. Tracing
 * off: the envelope itself, untouched.
 */
export function inActiveTrace<E extends { traceparent?: string | null }>(envelope: E): E {
  if (!tracingOn()) return envelope;
  const active = activeTraceparent();
  if (!active) return envelope;
  const own = envelope.traceparent;
  if (own && traceIdOf(own) !== traceIdOf(active)) return envelope;
  return own === active ? envelope : { ...envelope, traceparent: active };
}

/** A producer span around the publish of one message, a child of its envelope's traceparent. */
export function tracePublish<T>(
  system: string,
  destination: string,
  message: { id: string; type: string; traceparent?: string | null | undefined },
  publish: () => Promise<T>,
): Promise<T> {
  if (!tracingOn()) return publish();
  const span = tracer().startSpan(
    `${destination} publish`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': system,
        'messaging.operation.type': 'send',
        'messaging.destination.name': destination,
        'messaging.message.id': message.id,
        'walletgraph.event.type': message.type,
      },
    },
    parentOf(message.traceparent),
  );
  return within(span, publish);
}

/**
 * A consumer span around the handling of one delivered event, a child of its envelope's
 * traceparent: the handler's SQL and the events it enqueues continue the producer's trace.
 */
export function traceConsume<T>(
  system: string,
  consumer: string,
  event: { id: string; type: string; traceparent?: string | null | undefined },
  handle: () => Promise<T>,
): Promise<T> {
  if (!tracingOn()) return handle();
  const span = tracer().startSpan(
    `${consumer} process`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': system,
        'messaging.operation.type': 'process',
        'messaging.destination.name': consumer,
        'messaging.message.id': event.id,
        'walletgraph.event.type': event.type,
      },
    },
    parentOf(event.traceparent),
  );
  return within(span, handle);
}

/** The broker kind as OpenTelemetry's `messaging.system` names it. */
export function messagingSystem(kind: 'amqp' | 'in-process'): string {
  return kind === 'amqp' ? 'rabbitmq' : 'walletgraph.in-process';
}

/** The context a traceparent names; with none, no parent (a root span), not whatever is active. */
function parentOf(traceparent: string | null | undefined) {
  if (!traceparent) return trace.deleteSpan(context.active());
  return propagation.extract(ROOT_CONTEXT, { traceparent });
}
