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
});
