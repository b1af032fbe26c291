import {
  DepositDocument,
  OpenWalletDocument,
  WalletDocument,
  WalletOperationsDocument,
} from '@walletgraph/sdk';
import { describe, expect, it } from 'vitest';
import { newKey, type Person, person, settled } from '../support/money.ts';
import { useRealStack } from '../support/use-stack.ts';

/**
 * More wallets, in other currencies, through the gateway in real mode: each holds and shows its
 * own currency, with that currency's decimals (USD 2, JPY 0).
 */

const stack = useRealStack();

async function openWallet(p: Person, name: string, currency: string): Promise<string> {
  const res = await p.client.request(OpenWalletDocument, { input: { name, currency } });
  expect(res.errors).toBeUndefined();
  expect(res.data!.openWallet).toMatchObject({ name, currency, status: 'ACTIVE' });
  return res.data!.openWallet.id;
}

/**
 * Deposits into a wallet right after it was opened, with no retry: the transactions subgraph
 * learns of a new wallet from `wallet.opened.v1`, asynchronously, and waits briefly for a wallet
 * minted a moment ago instead of answering NOT_FOUND (platform/src/projection-read.ts).
 */
async function depositRightAway(p: Person, walletId: string, amount: { amount: string; currency: string }) {
  const res = await p.client.request(DepositDocument, {
    input: { walletId, amount, idempotencyKey: newKey('deposit') },
    waitMs: 10_000,
  });
  expect(res.errors).toBeUndefined();
  return settled(p.client, res.data!.deposit);
}

async function balance(p: Person, walletId: string) {
  const res = await p.client.request(WalletDocument, { id: walletId });
  expect(res.errors).toBeUndefined();
  return res.data!.wallet!;
}

describe('openWallet, real mode', () => {
  it('opens USD and JPY wallets that take deposits in their own currency and show balances in it', async () => {
    const olga = await person(stack, 'olga');
    const [usd, jpy] = await Promise.all([
      openWallet(olga, 'Dollars', 'USD'),
      openWallet(olga, 'Yen', 'JPY'),
    ]);

    const [inUsd, inJpy] = await Promise.all([
      depositRightAway(olga, usd, { amount: '12.34', currency: 'USD' }),
      depositRightAway(olga, jpy, { amount: '1500', currency: 'JPY' }),
    ]);
    expect(inUsd).toMatchObject({
      status: 'COMPLETED',
      wallet: { id: usd },
      amount: { amount: '12.34', currency: 'USD', minorUnits: '1234' },
    });
    expect(inJpy).toMatchObject({
      status: 'COMPLETED',
      wallet: { id: jpy },
      amount: { amount: '1500', currency: 'JPY', minorUnits: '1500' },
    });

    // JPY has no minor unit, USD two decimals: more is refused up front, naming the field.
    for (const [walletId, amount] of [
      [jpy, { amount: '1.5', currency: 'JPY' }],
      [usd, { amount: '1.234', currency: 'USD' }],
    ] as const) {
      const res = await olga.client.request(DepositDocument, {
        input: { walletId, amount, idempotencyKey: newKey('decimals') },
        waitMs: 10_000,
      });
      expect(res.data).toBeNull();
      expect(
        res.errors?.map((e) => [e.extensions?.code, e.extensions?.field]),
        `${amount.amount} ${amount.currency}`,
      ).toEqual([['BAD_USER_INPUT', 'input.amount.amount']]);
    }

    // Each wallet shows its own currency and only its own money; the default wallet is untouched.
    expect((await balance(olga, usd)).balance).toEqual({
      total: { amount: '12.34', currency: 'USD', minorUnits: '1234' },
      available: { amount: '12.34', currency: 'USD' },
      allocated: { amount: '0.00', currency: 'USD' },
    });
    expect((await balance(olga, jpy)).balance).toEqual({
      total: { amount: '1500', currency: 'JPY', minorUnits: '1500' },
      available: { amount: '1500', currency: 'JPY' },
      allocated: { amount: '0', currency: 'JPY' },
    });
    expect((await balance(olga, olga.walletId)).balance.total).toEqual({
      amount: '0.00',
      currency: 'EUR',
      minorUnits: '0',
    });
    // The refused deposits left no operation behind.
    for (const walletId of [usd, jpy]) {
      const ops = await olga.client.request(WalletOperationsDocument, { id: walletId, first: 10 });
      expect(ops.data!.wallet!.operations.edges.map((e) => e.node.status)).toEqual(['COMPLETED']);
    }
  });

  it('shows names as written, in their compatibility-normalised form, and refuses hidden characters', async () => {
    const pia = await person(stack, 'pia');
    const res = await pia.client.request(OpenWalletDocument, {
      input: { name: ' Ｔｒａｖｅｌ ✈️ ', currency: 'EUR' },
    });
    expect(res.errors).toBeUndefined();
    expect(res.data!.openWallet.name).toBe('Travel ✈️');
    for (const name of ['Rent\u202Etnuocca', 'Ren\u200Bt', 'Rent\nmore']) {
      const refused = await pia.client.request(OpenWalletDocument, { input: { name, currency: 'EUR' } });
      expect(refused.data).toBeNull();
      expect(
        refused.errors?.map((e) => [e.extensions?.code, e.extensions?.field]),
        JSON.stringify(name),
      ).toEqual([['BAD_USER_INPUT', 'input.name']]);
    }
  });
});
