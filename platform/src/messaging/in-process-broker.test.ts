import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.ts';
import { createInProcessBroker } from './in-process-broker.ts';

describe('in-process broker', () => {
  const logger = createLogger('test', 'silent');
  const message = (id: string) => ({
    id,
    type: 'wallet.opened.v1',
    routingKey: 'wallet.opened.v1',
    correlationId: 'c',
    body: '{}',
  });

  it('handles at most `prefetch` messages at once, in order', async () => {
    const broker = createInProcessBroker({ logger });
    let active = 0;
    let maxActive = 0;
    const order: string[] = [];
    const { promise: done, resolve } = Promise.withResolvers<void>();
    await broker.consume({
      name: 'c',
      routingKeys: ['wallet.opened.v1'],
      prefetch: 2,
      retryDelaysMs: [],
      handle: async (d) => {
        maxActive = Math.max(maxActive, ++active);
        order.push(d.id);
        await new Promise((r) => setImmediate(r));
        active--;
        if (order.length === 5) resolve();
      },
    });
    await broker.publish(['1', '2', '3', '4', '5'].map(message));
    await done;
    expect(order).toEqual(['1', '2', '3', '4', '5']);
    expect(maxActive).toBe(2);
    await broker.close();
  });

  it('keeps messages for a stopped consumer and delivers them when it resumes', async () => {
    const broker = createInProcessBroker({ logger });
    const seen: string[] = [];
    const spec = {
      name: 'c',
      routingKeys: ['wallet.opened.v1'],
      prefetch: 1,
      retryDelaysMs: [],
      handle: async (d: { id: string }) => {
        seen.push(d.id);
      },
    };
    const first = await broker.consume(spec);
    await first.stop();
    await broker.publish([message('kept')]);
    expect(seen).toEqual([]);
    await broker.consume(spec);
    await broker.ping();
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual(['kept']);
    await broker.close();
    await expect(broker.ping()).rejects.toThrow('closed');
  });
});
