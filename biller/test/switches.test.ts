import { describe, expect, it } from 'vitest';
import { startTestBiller } from './harness.ts';

describe('the biller switches', () => {
  it('adds the latency to every answer, and can change it at run time', async () => {
    await using biller = await startTestBiller({ behaviour: { latencyMs: 200 } });
    let started = Date.now();
    await biller.call('GET', '/billers');
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    await biller.call('PUT', '/admin/behaviour', { latencyMs: 0 });
    started = Date.now();
    await biller.call('GET', '/billers');
    expect(Date.now() - started).toBeLessThan(150);
  });

  it('fails about the failure rate of payments with 503, the same ones for the same seed, charging none of them', async () => {
    await using biller = await startTestBiller();
    const run = async (prefix: string) => {
      await biller.call('PUT', '/admin/behaviour', { failureRate: 0.5, seed: 42 });
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) statuses.push((await biller.pay(`${prefix}-${i}`, '45012345678')).status);
      return statuses;
    };
    const first = await run('a');
    const failed = first.filter((s) => s === 503).length;
    expect(failed).toBeGreaterThan(10);
    expect(failed).toBeLessThan(30);
    expect(await run('b')).toEqual(first);
    expect((await biller.call('GET', '/admin/payments')).body.charges).toBe(2 * (40 - failed));
    const unanswered = first.indexOf(503);
    expect((await biller.call('GET', `/payments/a-${unanswered}`)).body.status).toBe('NOT_FOUND');
  });

  it('answers every call 503 while down, and recovers when brought up', async () => {
    await using biller = await startTestBiller();
    expect((await biller.call('PUT', '/admin/behaviour', { down: true })).body.down).toBe(true);
    expect((await biller.call('GET', '/billers')).status).toBe(503);
    expect((await biller.pay('pay-down', '45012345678')).status).toBe(503);
    expect((await biller.call('GET', '/payments/pay-down')).status).toBe(503);
    expect((await biller.call('GET', '/readyz')).status).toBe(503);
    await biller.call('PUT', '/admin/behaviour', { down: false });
    expect((await biller.call('GET', '/payments/pay-down')).body.status).toBe('NOT_FOUND');
    expect((await biller.pay('pay-down', '45012345678')).status).toBe(200);
  });

  it('shows its switches and refuses a malformed change', async () => {
    await using biller = await startTestBiller({ behaviour: { hangMs: 500 } });
    expect((await biller.call('GET', '/admin/behaviour')).body).toEqual({
      latencyMs: 0,
      failureRate: 0,
      down: false,
      hangMs: 500,
    });
    expect((await biller.call('PUT', '/admin/behaviour', { failureRate: 2 })).status).toBe(400);
  });

  it('stops at once even with a payment hanging', async () => {
    const biller = await startTestBiller();
    const hanging = biller.pay('pay-hang', '45012349002').catch(() => 'cut off');
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await biller[Symbol.asyncDispose]();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await hanging).toBe('cut off');
  });
});
