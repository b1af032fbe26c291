import { describe, expect, it } from 'vitest';
import type { Biller } from '../src/catalog.ts';
import { startTestBiller } from './harness.ts';

describe('the biller catalog and validation', () => {
  it('lists billers of every category with the reference each expects', async () => {
    await using biller = await startTestBiller();
    const { status, body } = await biller.call<Biller[]>('GET', '/billers');
    expect(status).toBe(200);
    expect(new Set(body.map((b) => b.category))).toEqual(
      new Set(['ELECTRICITY', 'AIRTIME', 'WATER', 'INTERNET', 'TV']),
    );
    for (const entry of body) expect(entry.reference.example).toMatch(new RegExp(entry.reference.pattern));
    expect(body[0]).toEqual({
      id: 'metro-power',
      name: expect.any(String),
      category: 'ELECTRICITY',
      currency: 'ZAR',
      reference: { label: 'Meter number', pattern: '^\\d{11}$', example: expect.any(String) },
    });
  });

  it('names the customer a valid reference belongs to, the same name every time', async () => {
    await using biller = await startTestBiller();
    const first = await biller.call('POST', '/billers/metro-power/validations', { reference: '45012345678' });
    const again = await biller.call('POST', '/billers/metro-power/validations', { reference: '45012345678' });
    expect(first).toEqual({ status: 200, body: { customerName: expect.stringMatching(/^\S+ .+$/) } });
    expect(again).toEqual(first);
  });

  it.each([['45012340000'], ['123'], ['4501234567x']])('refuses the reference %s', async (reference) => {
    await using biller = await startTestBiller();
    const { status, body } = await biller.call('POST', '/billers/metro-power/validations', { reference });
    expect(status).toBe(422);
    expect(body).toEqual({ code: 'INVALID_REFERENCE', message: expect.any(String) });
  });

  it('answers UNKNOWN_BILLER for a biller it does not play', async () => {
    await using biller = await startTestBiller();
    const { status, body } = await biller.call('POST', '/billers/nobody/validations', { reference: '1' });
    expect(status).toBe(404);
    expect(body.code).toBe('UNKNOWN_BILLER');
  });

  it('names the field a malformed validation lacks', async () => {
    await using biller = await startTestBiller();
    const { status, body } = await biller.call('POST', '/billers/metro-power/validations', {});
    expect(status).toBe(400);
    expect(body.message).toMatch(/^reference: /);
  });

  it('names the field of a malformed payment', async () => {
    await using biller = await startTestBiller();
    const { status, body } = await biller.call('POST', '/payments', {
      paymentId: 'p',
      billerId: 'metro-power',
      reference: '45012345678',
      amount: { minorUnits: '-5', currency: 'ZAR' },
    });
    expect(status).toBe(400);
    expect(body.message).toMatch(/^amount\.minorUnits: /);
  });

  it('refuses a path that is not URL-encoded', async () => {
    await using biller = await startTestBiller();
    expect((await biller.call('GET', '/payments/%E0')).status).toBe(400);
  });

  it('answers its probes', async () => {
    await using biller = await startTestBiller();
    expect((await biller.call('GET', '/healthz')).status).toBe(200);
    expect((await biller.call('GET', '/readyz')).status).toBe(200);
  });
});
