import { describe, expect, it } from 'vitest';
import { startTestBiller } from './harness.ts';

const shortHang = { behaviour: { hangMs: 300 } };

describe('paying a bill', () => {
  it('charges a valid meter and answers a 20-digit token and the kWh bought', async () => {
    await using biller = await startTestBiller();
    const { status, body } = await biller.pay('pay-1', '45012345678', '5000');
    expect(status).toBe(200);
    expect(body).toEqual({
      paymentId: 'pay-1',
      status: 'SUCCEEDED',
      receipt: {
        token: expect.stringMatching(/^\d{20}$/),
        units: '20.0',
        billerReference: expect.any(String),
      },
    });
    expect((await biller.call('GET', '/payments/pay-1')).body).toEqual(body);
  });

  it('gives a receipt without token or units for a bill that is not electricity', async () => {
    await using biller = await startTestBiller();
    const { body } = await biller.call('POST', '/payments', {
      paymentId: 'air-1',
      billerId: 'skyline-airtime',
      reference: '0821234567',
      amount: { minorUnits: '1000', currency: 'ZAR' },
    });
    expect(body).toEqual({
      paymentId: 'air-1',
      status: 'SUCCEEDED',
      receipt: { billerReference: expect.any(String) },
    });
  });

  it('refuses an invalid meter without charging (…0000)', async () => {
    await using biller = await startTestBiller();
    expect(await biller.pay('pay-inv', '45012340000')).toEqual({
      status: 422,
      body: { paymentId: 'pay-inv', status: 'FAILED', code: 'INVALID_REFERENCE' },
    });
    expect((await biller.call('GET', '/payments/pay-inv')).body.status).toBe('FAILED');
    expect((await biller.call('GET', '/admin/payments')).body.charges).toBe(0);
  });

  it('rejects …9001 at payment without charging', async () => {
    await using biller = await startTestBiller();
    const answer = await biller.pay('pay-rej', '45012349001');
    expect(answer).toEqual({
      status: 422,
      body: { paymentId: 'pay-rej', status: 'FAILED', code: 'BILLER_REJECTED' },
    });
    expect((await biller.call('GET', '/payments/pay-rej')).body).toEqual(answer.body);
    expect((await biller.call('GET', '/admin/payments')).body.charges).toBe(0);
  });

  it('charges …9002 at once but answers only after the hang, and the status says so meanwhile', async () => {
    await using biller = await startTestBiller(shortHang);
    const started = Date.now();
    const hanging = biller.pay('pay-hang', '45012349002');
    await new Promise((r) => setTimeout(r, 50));
    expect((await biller.call('GET', '/payments/pay-hang')).body.status).toBe('SUCCEEDED');
    expect((await hanging).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
  });

  it('hangs on the first attempt of …9003 without charging, then succeeds when the paymentId is sent again', async () => {
    await using biller = await startTestBiller(shortHang);
    const first = await biller.pay('pay-once', '45012349003');
    expect(first.status).toBe(504);
    expect((await biller.call('GET', '/payments/pay-once')).body).toEqual({
      paymentId: 'pay-once',
      status: 'NOT_FOUND',
    });
    const retry = await biller.pay('pay-once', '45012349003');
    expect(retry.body.status).toBe('SUCCEEDED');
    expect((await biller.call('GET', '/payments/pay-once')).body.status).toBe('SUCCEEDED');
  });

  it('charges …9004 and then answers 500; the status says it succeeded', async () => {
    await using biller = await startTestBiller();
    expect((await biller.pay('pay-500', '45012349004')).status).toBe(500);
    expect((await biller.call('GET', '/payments/pay-500')).body).toMatchObject({ status: 'SUCCEEDED' });
    expect((await biller.call('GET', '/admin/payments')).body.charges).toBe(1);
  });

  it('answers NOT_FOUND for a payment it never saw', async () => {
    await using biller = await startTestBiller();
    expect((await biller.call('GET', '/payments/never')).body).toEqual({
      paymentId: 'never',
      status: 'NOT_FOUND',
    });
  });
});

describe('idempotency by paymentId', () => {
  it('answers a repeat with what the first one did, charging once', async () => {
    await using biller = await startTestBiller();
    const first = await biller.pay('pay-rep', '45012345678');
    const repeat = await biller.pay('pay-rep', '45012345678');
    expect(repeat).toEqual(first);
    expect((await biller.call('GET', '/admin/payments')).body.charges).toBe(1);
  });

  it('answers a repeat of …9004 with the charge it made, not a second one', async () => {
    await using biller = await startTestBiller();
    await biller.pay('pay-500', '45012349004');
    expect((await biller.pay('pay-500', '45012349004')).body.status).toBe('SUCCEEDED');
    expect((await biller.call('GET', '/admin/payments')).body.charges).toBe(1);
  });

  it('refuses the same paymentId with another body (PAYMENT_ID_REUSED)', async () => {
    await using biller = await startTestBiller();
    await biller.pay('pay-reuse', '45012345678', '5000');
    const reused = await biller.pay('pay-reuse', '45012345678', '6000');
    expect(reused.status).toBe(409);
    expect(reused.body.code).toBe('PAYMENT_ID_REUSED');
    expect((await biller.call('GET', '/admin/payments')).body.charges).toBe(1);
  });

  it('gives the same receipt for the same paymentId and amount on another biller instance', async () => {
    await using one = await startTestBiller();
    await using other = await startTestBiller();
    expect((await one.pay('pay-det', '45012345678')).body).toEqual(
      (await other.pay('pay-det', '45012345678')).body,
    );
  });
});
