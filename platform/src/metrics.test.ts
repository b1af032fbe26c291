import { describe, expect, it } from 'vitest';
import { boundedLabel, createMetrics } from './metrics.ts';

describe('metrics', () => {
  it('gives two callers of one name the same metric, told apart by their labels', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const spec = { name: 'walletgraph_test_total', help: 'test', labelNames: ['subgraph'] as const };
    metrics.counter(spec).inc({ subgraph: 'wallet' });
    metrics.counter(spec).inc({ subgraph: 'jars' }, 2);
    const text = await metrics.render();
    expect(text).toContain('walletgraph_test_total{subgraph="wallet"} 1');
    expect(text).toContain('walletgraph_test_total{subgraph="jars"} 2');
  });

  it('refuses a name already taken by another type or label set', () => {
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.counter({ name: 'walletgraph_x_total', help: 'x', labelNames: ['a'] });
    expect(() => metrics.gauge({ name: 'walletgraph_x_total', help: 'x', labelNames: ['a'] })).toThrow(
      /counter/,
    );
    expect(() => metrics.counter({ name: 'walletgraph_x_total', help: 'x', labelNames: ['b'] })).toThrow(
      /labels/,
    );
  });

  it('samples gauges before a scrape, and a failing sampler leaves the rest answering', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const gauge = metrics.gauge({ name: 'walletgraph_rows', help: 'rows' });
    let rows = 0;
    const stop = metrics.sampleOnScrape(() => {
      rows += 5;
      gauge.set(rows);
    });
    metrics.sampleOnScrape(() => {
      throw new Error('database away');
    });
    expect(await metrics.render()).toContain('walletgraph_rows 5');
    stop();
    expect(await metrics.render()).toContain('walletgraph_rows 5');
  });

  it('serves the process metrics too', async () => {
    expect(await createMetrics().render()).toContain('process_cpu_seconds_total');
  });

  it('caps a free-text label at its first values', () => {
    const label = boundedLabel(2);
    expect([label('A'), label('B'), label('C'), label('A'), label(undefined)]).toEqual([
      'A',
      'B',
      'other',
      'A',
      'anonymous',
    ]);
  });

  it('renders a histogram as Prometheus does: cumulative buckets, +Inf, sum and count per series', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const h = metrics.histogram({
      name: 'walletgraph_t_seconds',
      help: 't',
      labelNames: ['op'],
      buckets: [0.1, 1],
    });
    const fast = h.labels({ op: 'a' });
    for (const v of [0.05, 0.5, 0.5, 3]) fast.observe(v);
    h.observe({ op: 'b' }, 0.2);
    const text = await metrics.render();
    expect(text).toContain('# TYPE walletgraph_t_seconds histogram');
    expect(text).toContain('walletgraph_t_seconds_bucket{op="a",le="0.1"} 1');
    expect(text).toContain('walletgraph_t_seconds_bucket{op="a",le="1"} 3');
    expect(text).toContain('walletgraph_t_seconds_bucket{op="a",le="+Inf"} 4');
    expect(text).toContain('walletgraph_t_seconds_sum{op="a"} 4.05');
    expect(text).toContain('walletgraph_t_seconds_count{op="a"} 4');
    expect(text).toContain('walletgraph_t_seconds_bucket{op="b",le="1"} 1');
  });

  it('shows a metric without labels at 0 from the start, and refuses what a counter cannot be', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const c = metrics.counter({ name: 'walletgraph_c_total', help: 'c' });
    metrics.histogram({ name: 'walletgraph_h_seconds', help: 'h', buckets: [1] });
    expect(await metrics.render()).toContain('walletgraph_c_total 0');
    expect(await metrics.render()).toContain('walletgraph_h_seconds_count 0');
    c.inc();
    c.inc(2);
    expect(await metrics.render()).toContain('walletgraph_c_total 3');
    expect(() => c.inc(-1)).toThrow(/only goes up/);
    const labelled = metrics.counter({ name: 'walletgraph_l_total', help: 'l', labelNames: ['a'] });
    expect(() => labelled.labels({ b: 'x' } as never)).toThrow(/no label b/);
    expect(() =>
      metrics.histogram({ name: 'walletgraph_h_seconds', help: 'h' }).observe(Number.NaN),
    ).toThrow();
  });
});
