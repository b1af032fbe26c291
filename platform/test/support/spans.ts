import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { registerTracing } from '../../src/tracing.ts';

/** A finished span as a test reads it. */
export interface RecordedSpan {
  name: string;
  /** OpenTelemetry's SpanKind: 0 internal, 1 server, 2 client, 3 producer, 4 consumer. */
  kind: number;
  traceId: string;
  spanId: string;
  /** The parent's span id; undefined for a root span. */
  parentSpanId: string | undefined;
  attributes: Record<string, unknown>;
}

export interface SpanRecorder extends AsyncDisposable {
  /** Every span finished so far, in the order they ended. */
  spans(): RecordedSpan[];
}

/**
 * Registers this process's tracer provider with an in-memory exporter (each span exported as it
 * ends), as `startTracing` registers the OTLP one; disposing it unregisters it.
 */
export function recordSpans(): SpanRecorder {
  const exporter = new InMemorySpanExporter();
  const tracing = registerTracing({
    serviceName: 'walletgraph-test',
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  return {
    spans: () =>
      exporter.getFinishedSpans().map((s) => ({
        name: s.name,
        kind: s.kind,
        traceId: s.spanContext().traceId,
        spanId: s.spanContext().spanId,
        parentSpanId: s.parentSpanContext?.spanId,
        attributes: { ...s.attributes },
      })),
    [Symbol.asyncDispose]: () => tracing.shutdown(),
  };
}
