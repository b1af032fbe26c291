import { describe, expect, it } from 'vitest';
import { createMetrics } from '../metrics.ts';
import { operationMetrics, operationTypeOf, outcomeOf } from './operation-metrics.ts';

describe('operation metrics', () => {
  it('reads the operation type from the first word of the document, a bare selection being a query', () => {
    expect(operationTypeOf('query Me { me { id } }')).toBe('query');
    expect(operationTypeOf('  mutation Transfer__transactions__0($a: ID!) { x }')).toBe('mutation');
    expect(operationTypeOf('{ me { id } }')).toBe('query');
    expect(operationTypeOf('# a comment\nsubscription S { s }')).toBe('subscription');
    expect(operationTypeOf('fragment F on T { id }')).toBe('unknown');
  });

  it('names the outcome ok, or the first error’s code, or INTERNAL_SERVER_ERROR for an error without one', () => {
    expect(outcomeOf(undefined)).toBe('ok');
    expect(outcomeOf([])).toBe('ok');
    expect(
      outcomeOf([
        { message: 'no', extensions: { code: 'NOT_FOUND' } },
        { message: 'no', extensions: { code: 'BAD_USER_INPUT' } },
      ]),
    ).toBe('NOT_FOUND');
    expect(outcomeOf([{ message: 'boom' }])).toBe('INTERNAL_SERVER_ERROR');
  });

  it('keeps at most 200 operation names as labels, the rest counted as other', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const recorder = operationMetrics(metrics, 'wallet');
    for (let i = 0; i < 205; i++) recorder.observe('query', `Op${i}`, 'ok', 0.001);
    const { values } = await metrics.registry
      .getSingleMetric('walletgraph_subgraph_operation_duration_seconds')!
      .get();
    const counts = values.filter((v) => (v as { metricName?: string }).metricName?.endsWith('_count'));
    expect(counts).toHaveLength(201);
    expect(counts.find((v) => v.labels.operation === 'other')?.value).toBe(5);
  });
});
