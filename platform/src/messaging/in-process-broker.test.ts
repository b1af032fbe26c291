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

  it('retires a stopped consumer: what waited goes, nothing more is routed to it, dead letters stay', async () => {
    const broker = createInProcessBroker({ logger });
    const seen: string[] = [];
    const spec = {
      name: 'old',
      routingKeys: ['wallet.opened.v1'],
      prefetch: 1,
      retryDelaysMs: [],
      handle: async (d: { id: string }) => {
        seen.push(d.id);
        if (d.id === 'poison') throw new Error('refused');
      },
    };
    const running = await broker.consume(spec);
    await expect(broker.retireConsumer('old', [])).rejects.toThrow(/running/);
    await broker.publish([message('poison')]);
    for (let tick = 0; tick < 100 && broker.deadLetters('old').length === 0; tick++) {
      await new Promise((r) => setTimeout(r, 1));
    }
    expect(broker.deadLetters('old')).toHaveLength(1);
    await running.stop();
    await broker.publish([message('waiting')]);

    expect(await broker.retireConsumer('old', [])).toBe(1);
    expect(broker.deadLetters('old')).toHaveLength(1);
    await broker.publish([message('later')]);
    await broker.consume(spec);
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual(['poison']);
    expect(await broker.retireConsumer('never', [])).toBe(0);
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
