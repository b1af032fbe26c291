import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { Config } from './config.ts';

/**
 * OpenTelemetry tracing (docs/tracing.md): off unless OTEL_EXPORTER_OTLP_ENDPOINT is set. Off,
 * nothing is registered, the API's tracer is its no-op one, and every hook in
 * platform/src/tracing/ returns at its first line (`tracingOn()`), so a request pays a
 * boolean test per choke point and builds no span, attribute or string.
 */
export interface Tracing {
  /** Exports the spans still buffered, then stops the provider. Nothing when tracing is off. */
  shutdown(): Promise<void>;
}

let on = false;

/** Whether a tracer provider is registered: the hooks' first test. */
export function tracingOn(): boolean {
  return on;
}

const off: Tracing = { shutdown: async () => {} };

/**
 * Starts tracing for this process when OTEL_EXPORTER_OTLP_ENDPOINT is set: spans go in batches
 * over OTLP/HTTP to `<endpoint>/v1/traces`, named OTEL_SERVICE_NAME or else `serviceName`.
 * Call it once, at process start, before the services are built.
 */
export function startTracing(config: Config, serviceName: string): Tracing {
  if (!config.OTEL_EXPORTER_OTLP_ENDPOINT) return off;
  const exporter = new OTLPTraceExporter({
    url: new URL('v1/traces', withSlash(config.OTEL_EXPORTER_OTLP_ENDPOINT)).toString(),
  });
  return registerTracing({
    serviceName: config.OTEL_SERVICE_NAME ?? serviceName,
    spanProcessors: [new BatchSpanProcessor({ exporter })],
  });
}

/**
 * Registers a tracer provider with `spanProcessors` as this process's global one, with the
 * AsyncLocalStorage context manager and the W3C `traceparent` propagator. `startTracing` uses
 * it; a test passes an in-memory exporter's processor.
 */
export function registerTracing(options: { serviceName: string; spanProcessors: SpanProcessor[] }): Tracing {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors: options.spanProcessors,
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  on = true;
  return {
    async shutdown() {
      on = false;
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
