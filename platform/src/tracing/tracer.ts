import { context, type Span, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';

/** The tracer every walletgraph span comes from; only asked for when tracing is on. */
export function tracer(): Tracer {
  return trace.getTracer('walletgraph');
}

/**
 * Runs `fn` with `span` active (its SQL, calls and events become its children), and ends the
 * span when the promise settles, marked as an error when it rejects.
 */
export async function within<T>(span: Span, fn: () => Promise<T>): Promise<T> {
  try {
    return await context.with(trace.setSpan(context.active(), span), fn);
  } catch (error) {
    failed(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** Marks a span failed with the error (its class and message: never a parameter value). */
export function failed(span: Span, error: unknown): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'error' });
  if (error instanceof Error) span.recordException(error);
}
