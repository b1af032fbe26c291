import { trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import { startTracing, tracingOn } from './tracing.ts';

describe('startTracing', () => {
  it('registers nothing when OTEL_EXPORTER_OTLP_ENDPOINT is unset: the tracer stays the no-op one', async () => {
    const tracing = startTracing(loadConfig({}), 'test');
    expect(tracingOn()).toBe(false);
    const span = trace.getTracer('test').startSpan('anything');
    expect(span.isRecording()).toBe(false);
    expect(trace.isSpanContextValid(span.spanContext())).toBe(false);
    span.end();
    await tracing.shutdown();
  });

  it('registers a recording provider when OTEL_EXPORTER_OTLP_ENDPOINT is set, and unregisters it on shutdown', async () => {
    const tracing = startTracing(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1' }), 'test');
    try {
      expect(tracingOn()).toBe(true);
      expect(trace.getTracer('test').startSpan('recorded').isRecording()).toBe(true);
    } finally {
      await tracing.shutdown();
    }
    expect(tracingOn()).toBe(false);
    expect(trace.getTracer('test').startSpan('after').isRecording()).toBe(false);
  });
});
