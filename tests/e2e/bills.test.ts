import { ledgerAccount } from '@walletgraph/events';
import { waitFor } from '@walletgraph/platform/test/support/infra';
import {
  AllocateToJarDocument,
  BillersDocument,
  CreateJarDocument,
  createClient,
  createLiveClient,
  ValidateBillReferenceDocument,
  WalletJarsDocument,
} from '@walletgraph/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billSettled, meters, payBill, setBillerBehaviour } from '../support/biller.ts';
import { expectBooksAgree, expectLedgerInvariants, jarAnnouncements, postedTo } from '../support/books.ts';
import { untilListening, userIdOf, watch } from '../support/live.ts';
import {
  balanceOf,
  deposit,
  eur,
  newKey,
  type Person,
  person,
  register,
  settled,
  withSql,
} from '../support/money.ts';
import { openTestRedis, type TestRedis } from '../support/redis.ts';
import { useRealStack } from '../support/use-stack.ts';

/**
 * Bills through the gateway, in real mode: transactions asks the simulated biller process over
 * HTTP (BILLER_URL) on the client's behalf, holds the amount in the ledger while it pays, then
 * captures it to the biller's external account or releases it back. Metro Power is paid in ZAR,
 * Nordlicht Energie in EUR (docs/biller.md): each person's wallet is in their biller's currency.
 */

const stack = useRealStack();
let redis: TestRedis;

beforeAll(async () => {
  redis = await openTestRedis('bills');
});

afterAll(async () => {
  await redis?.[Symbol.asyncDispose]();
});

/** How the jars subgraph counted each ledger movement of a jar (SPEND, REFUND, OTHER), in order. */
async function movementKinds(jarId: string): Promise<string[]> {
  return withSql(stack.databases.jars!, async (sql) => {
    const rows = await sql<{ kind: string }[]>`
      select kind from jar_movements where jar_id = ${jarId} order by sequence`;
    return rows.map((r) => r.kind);
  });
}

async function jarOf(p: Person, name: string) {
  const res = await p.client.request(WalletJarsDocument, { id: p.walletId });
  expect(res.errors).toBeUndefined();
  return res.data!.wallet!.jars.find((j) => j.name === name)!;
}

describe('bills through the supergraph, real mode', () => {
  it('lists the billers and names the customer behind a reference', async () => {
    const { accessToken } = await register(stack.url, 'Gus');
    const client = createClient({ url: stack.url, token: accessToken });

    const tv = await client.request(BillersDocument, { category: 'TV' });
    expect(tv.errors).toBeUndefined();
    expect(tv.data!.billers).toEqual([expect.objectContaining({ id: 'starview-tv', category: 'TV' })]);

    const checked = await client.request(ValidateBillReferenceDocument, {
      billerId: 'metro-power',
      reference: '45012345678',
    });
    expect(checked.errors).toBeUndefined();
    expect(checked.data!.validateBillReference).toMatchObject({
      biller: { id: 'metro-power', referenceLabel: 'Meter number' },
      reference: '45012345678',
      customerName: expect.any(String),
    });

    const unknown = await client.request(ValidateBillReferenceDocument, {
      billerId: 'metro-power',
      reference: '45012340000',
    });
    expect(unknown.errors?.map((e) => e.extensions?.code)).toEqual(['INVALID_REFERENCE']);
  });

  it.each([
    {
      bill: 'a paid meter',
      reference: meters.paid,
      status: 'COMPLETED',
      failureCode: null,
      hold: 'CAPTURED',
      paid: 5_000n,
    },
    {
      bill: 'a meter the biller rejects',
      reference: meters.rejected,
      status: 'FAILED',
      failureCode: 'BILLER_REJECTED',
      hold: 'RELEASED',
      paid: 0n,
    },
  ])('pays Metro Power (ZAR) from the wallet for $bill: $status, hold $hold', async (want) => {
    const zoe = await person(stack, 'zoe', 'ZAR');
    expect((await settled(zoe.client, await deposit(zoe, 20_000n))).status).toBe('COMPLETED');
    const billerBefore = await postedTo(stack, ledgerAccount.external('biller', 'ZAR'));

    const accepted = await payBill(zoe, {
      billerId: 'metro-power',
      reference: want.reference,
      minor: 5_000n,
      currency: 'ZAR',
    });
    const op = await billSettled(zoe.client, accepted);
    expect(op).toMatchObject({
      id: accepted.id,
      kind: 'BILL_PAYMENT',
      status: want.status,
      failureCode: want.failureCode,
      amount: { minorUnits: '5000', currency: 'ZAR' },
      wallet: { id: zoe.walletId },
      biller: { id: 'metro-power' },
      billReference: want.reference,
      hold: { status: want.hold, amount: { minorUnits: '5000', currency: 'ZAR' } },
    });
    if (want.status === 'COMPLETED') {
      // R 50.00 at R 2.50 per kWh.
      expect(op.receipt).toMatchObject({ token: expect.stringMatching(/^\d{20}$/), units: '20.0' });
    } else {
      expect(op.receipt).toBeNull();
    }

    expect(await balanceOf(zoe)).toEqual({ total: 20_000n - want.paid, available: 20_000n - want.paid });
    expect((await postedTo(stack, ledgerAccount.external('biller', 'ZAR'))) - billerBefore).toBe(want.paid);
    await expectBooksAgree(stack, [zoe]);
    await expectLedgerInvariants(stack);
  });

  it('counts a bill paid from an expense jar against its budget, and a released one not', async () => {
    const ada = await person(stack, 'ada');
    expect((await settled(ada.client, await deposit(ada, 20_000n))).status).toBe('COMPLETED');
    const created = await ada.client.request(CreateJarDocument, {
      input: { walletId: ada.walletId, name: 'Energy', kind: 'EXPENSE', budgetLimit: eur(10_000n) },
    });
    expect(created.errors).toBeUndefined();
    const energy = created.data!.createJar;
    const allocated = await ada.client.request(AllocateToJarDocument, {
      input: { jarId: energy.id, amount: eur(10_000n), idempotencyKey: newKey('allocate') },
      waitMs: 10_000,
    });
    expect((await settled(ada.client, allocated.data!.allocateToJar)).status).toBe('COMPLETED');
    const fromJar = { jarId: energy.id, billerId: 'nordlicht-energie', currency: 'EUR' };

    // 85.00 of the 100.00 budget: the 80 % alert.
    const paid = await billSettled(
      ada.client,
      await payBill(ada, { ...fromJar, reference: meters.paid, minor: 8_500n }),
    );
    expect(paid).toMatchObject({ status: 'COMPLETED', hold: { status: 'CAPTURED' } });
    const alerts = await waitFor('the 80 % budget alert', async () => {
      const found = await jarAnnouncements(stack, 'jars.budget_threshold_reached.v1', energy.id);
      return found.length > 0 ? found : undefined;
    });
    expect(alerts).toEqual([
      expect.objectContaining({ thresholdPercent: 80, spent: '8500', limit: '10000' }),
    ]);

    // 10.00 more, rejected: held from the jar, then released back into it.
    const rejected = await billSettled(
      ada.client,
      await payBill(ada, { ...fromJar, reference: meters.rejected, minor: 1_000n }),
    );
    expect(rejected).toMatchObject({
      status: 'FAILED',
      failureCode: 'BILLER_REJECTED',
      hold: { status: 'RELEASED' },
    });
    // Allocation, bill, bill, its release: the jars subgraph has seen every movement.
    await waitFor('the jar movements', async () =>
      (await movementKinds(energy.id)).length === 4 ? true : undefined,
    );
    expect(await movementKinds(energy.id)).toEqual(['OTHER', 'SPEND', 'SPEND', 'REFUND']);
    const jar = await jarOf(ada, 'Energy');
    expect(jar.balance.minorUnits).toBe('1500');
    expect([jar.budget!.spent.amount, jar.budget!.remaining.amount]).toEqual(['85.00', '15.00']);
    expect(await jarAnnouncements(stack, 'jars.budget_threshold_reached.v1', energy.id)).toHaveLength(1);
    expect(await balanceOf(ada)).toEqual({ total: 11_500n, available: 10_000n });
    await expectBooksAgree(stack, [ada]);
    await expectLedgerInvariants(stack);
  });

  it('tells the owner the hold is OPEN while a slow biller answers, then that the bill is paid', async () => {
    const bea = await person(stack, 'bea');
    expect((await settled(bea.client, await deposit(bea, 5_000n))).status).toBe('COMPLETED');
    const live = createLiveClient({ url: stack.url, token: bea.token, options: { retryAttempts: 0 } });
    try {
      const updates = watch<{ operationUpdated: { id: string; status: string; hold: { status: string } } }>(
        live.ws,
        { query: 'subscription { operationUpdated { id status hold { status } } }' },
      );
      await untilListening(redis.redis, userIdOf(bea.token));
      // Every answer a second late: the payment takes that long, under the client's 2 s timeout.
      await setBillerBehaviour(stack, { latencyMs: 1_000 });
      let op: Awaited<ReturnType<typeof payBill>>;
      try {
        op = await payBill(
          bea,
          {
            billerId: 'nordlicht-energie',
            reference: meters.paid,
            minor: 2_000n,
            currency: 'EUR',
          },
          0,
        );
        await updates.next('the payment completed', (e) => e.data?.operationUpdated.status === 'COMPLETED');
      } finally {
        await setBillerBehaviour(stack, { latencyMs: 0 });
      }
      expect(updates.events.map((e) => e.data?.operationUpdated)).toEqual([
        { id: op.id, status: 'PENDING', hold: { status: 'OPEN' } },
        { id: op.id, status: 'COMPLETED', hold: { status: 'CAPTURED' } },
      ]);
      expect(await balanceOf(bea)).toEqual({ total: 3_000n, available: 3_000n });
    } finally {
      await live.dispose();
    }
    await expectBooksAgree(stack, [bea]);
    await expectLedgerInvariants(stack);
  });
});
