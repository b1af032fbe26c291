import type { RequestHandler } from 'express';
import { Counter, collectDefaultMetrics, Gauge, Histogram, type Metric, Registry } from 'prom-client';

/**
 * One Prometheus registry per process, shared by everything the process runs (in embedded mode,
 * five subgraphs and the gateway), and served as `/metrics` by `metricsHandler`.
 *
 * Metrics are got-or-created by name: two subgraphs of one process asking for
 * `walletgraph_outbox_backlog_rows` share one metric and tell themselves apart by their `subgraph`
 * label. Asking again with a different type or label set is a programming error and throws.
 *
 * Names follow Prometheus conventions (docs/metrics.md): `walletgraph_` prefix, the unit in
 * the name (`_seconds`, `_rows`, `_total` for counters), and label values from a bounded set —
 * never an id. `boundedLabel` caps free-text values such as operation names.
 */
export interface Metrics {
  readonly registry: Registry;
  counter<L extends string>(spec: MetricSpec<L>): Counter<L>;
  gauge<L extends string>(spec: MetricSpec<L>): Gauge<L>;
  histogram<L extends string>(spec: MetricSpec<L> & { buckets?: number[] }): Histogram<L>;
  /**
   * Runs `sample` before every scrape (a gauge read from a table or a queue) and returns the way
   * to stop it. A sampler that fails or takes longer than `SAMPLE_TIMEOUT_MS` leaves its gauges
   * as they were; the scrape still answers.
   */
  sampleOnScrape(sample: () => Promise<void> | void): () => void;
  /** Runs every sampler, then renders the registry in Prometheus' text format. */
  render(): Promise<string>;
}

export interface MetricSpec<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
}

/** Latency buckets, in seconds, from 1 ms to 10 s: our operations are mostly a few ms. */
export const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** A sampler slower than this is skipped for the scrape: a stuck database must not hang /metrics. */
export const SAMPLE_TIMEOUT_MS = 2_000;

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  // Process CPU, memory, event-loop lag and GC, under Prometheus' standard `process_`/`nodejs_` names.
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const samplers = new Set<() => Promise<void> | void>();

  function getOrCreate<M>(
    kind: 'counter' | 'gauge' | 'histogram',
    spec: MetricSpec<string>,
    create: () => M,
  ): M {
    // prom-client keeps a metric's label names on the instance, untyped.
    const existing = registry.getSingleMetric(spec.name) as (Metric & { labelNames?: string[] }) | undefined;
    if (!existing) return create();
    const type = metricType(existing);
    const labelNames = existing.labelNames ?? [];
    const wanted = [...(spec.labelNames ?? [])].sort().join(',');
    if (type !== kind || [...labelNames].sort().join(',') !== wanted) {
      throw new Error(`metric ${spec.name} already exists as a ${type} with labels [${labelNames}]`);
    }
    return existing as M;
  }

  return {
    registry,
    counter(spec) {
      return getOrCreate('counter', spec, () => new Counter({ ...withLabels(spec), registers: [registry] }));
    },
    gauge(spec) {
      return getOrCreate('gauge', spec, () => new Gauge({ ...withLabels(spec), registers: [registry] }));
    },
    histogram(spec) {
      return getOrCreate(
        'histogram',
        spec,
        () =>
          new Histogram({
            ...withLabels(spec),
            buckets: spec.buckets ?? latencyBuckets,
            registers: [registry],
          }),
      );
    },
    sampleOnScrape(sample) {
      samplers.add(sample);
      return () => {
        samplers.delete(sample);
      };
    },
    async render() {
      await Promise.allSettled([...samplers].map((sample) => withTimeout(sample, SAMPLE_TIMEOUT_MS)));
      return registry.metrics();
    },
  };
}

/** Serves `metrics` in Prometheus' text format (mounted as `GET /metrics`). */
export function metricsHandler(metrics: Metrics): RequestHandler {
  return async (_req, res, next) => {
    try {
      const body = await metrics.render();
      res.set('content-type', metrics.registry.contentType).send(body);
    } catch (error) {
      next(error);
    }
  };
}

/**
 * A label value from a bounded set: the first `limit` distinct values pass through, any later
 * one is `other`. For values a client chooses (operation names), so a client sending a new name
 * with every request cannot grow the registry without bound.
 */
export function boundedLabel(limit: number): (value: string | null | undefined) => string {
  const seen = new Set<string>();
  return (value) => {
    if (!value) return 'anonymous';
    if (seen.has(value)) return value;
    if (seen.size >= limit) return 'other';
    seen.add(value);
    return value;
  };
}

function withLabels<L extends string>(spec: MetricSpec<L>): { name: string; help: string; labelNames: L[] } {
  return { name: spec.name, help: spec.help, labelNames: [...(spec.labelNames ?? [])] };
}

function metricType(metric: unknown): string {
  if (metric instanceof Counter) return 'counter';
  if (metric instanceof Gauge) return 'gauge';
  if (metric instanceof Histogram) return 'histogram';
  return 'other';
}

async function withTimeout(sample: () => Promise<void> | void, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.resolve().then(sample),
      new Promise<void>((_, reject) => {
        timer = setTimeout(() => reject(new Error('sampler timed out')), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
