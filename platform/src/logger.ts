import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { type Logger, pino } from 'pino';

export type { Logger };

/** What follows a unit of work (a request, a consumed message) into the logs and events it causes. */
export interface TraceContext {
  correlationId: string;
  /** The id of the message being handled, when the work was caused by one. */
  causationId?: string | null;
  traceparent?: string | null;
}

const storage = new AsyncLocalStorage<TraceContext>();

/** Runs `fn` with a trace context; every log line written inside carries its correlation id. */
export function withTrace<T>(ctx: TraceContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

/** The trace context a consumed event's handling runs in: its logs and the events it causes carry it. */
export function traceOf(event: {
  id: string;
  correlationId: string;
  traceparent?: string | null;
}): TraceContext {
  return {
    correlationId: event.correlationId,
    causationId: event.id,
    traceparent: event.traceparent ?? null,
  };
}

export function currentTrace(): TraceContext | undefined {
  return storage.getStore();
}

/** A correlation id from an incoming header, if it is a sane one, or a fresh one. */
export function correlationIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && /^[\w.:-]{1,128}$/.test(value) ? value : randomUUID();
}

export const CORRELATION_HEADER = 'x-correlation-id';

/**
 * The one logger factory: JSON lines on stdout, `service` on every line, and the active
 * correlation id mixed in from the trace context.
 */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    name: service,
    level,
    base: { service },
    mixin() {
      const trace = storage.getStore();
      return trace ? { correlationId: trace.correlationId, causationId: trace.causationId ?? undefined } : {};
    },
  });
}
