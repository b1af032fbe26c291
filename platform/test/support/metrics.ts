import type { Metrics } from '../../src/metrics.ts';

/**
 * The value of one series of a metric after a scrape: the scrape-time samplers run first, as
 * GET /metrics runs them. `series` names a histogram's `_count`, `_sum` or `_bucket` series;
 * labels not given match any value. 0 for a series not recorded yet (as Prometheus reads a
 * counter that has not moved).
 */
export async function scraped(
  metrics: Metrics,
  name: string,
  labels: Record<string, string> = {},
  series = name,
): Promise<number> {
  await metrics.render();
  return recorded(metrics, name, labels, series);
}

/** The value of one series as the registry holds it now, without sampling again. */
export async function recorded(
  metrics: Metrics,
  name: string,
  labels: Record<string, string> = {},
  series = name,
): Promise<number> {
  const data = await metrics.registry.getSingleMetric(name)?.get();
  const found = data?.values.find(
    (v) =>
      // A histogram's values name their series (`_count`, …); a counter's or gauge's do not.
      ((v as { metricName?: string }).metricName ?? name) === series &&
      Object.entries(labels).every(([key, value]) => v.labels[key] === value),
  );
  return found?.value ?? 0;
}
