import { randomBytes } from 'node:crypto';
import { waitFor } from '@walletgraph/platform/test/support/infra';
import {
  type Client,
  DepositDocument,
  OpenWalletDocument,
  OperationDocument,
  type OperationFieldsFragment,
  TransferDocument,
  WalletOperationsDocument,
  WithdrawDocument,
} from '@walletgraph/sdk';
import { describe, expect, it } from 'vitest';
import { gql } from '../security/support.ts';
import {
  type Person,
  register,
  person as registerPerson,
  settled as settledOperation,
  verifyEmail,
  withSql,
} from '../support/money.ts';
import { useRealStack } from '../support/use-stack.ts';

/**
 * Money through the gateway, in real mode (Postgres, RabbitMQ, Redis, seven processes): the
 * transactions subgraph takes the request and sends the ledger command, the ledger posts or
 * refuses it, and the answer settles the operation while the mutation waits.
 */

const stack = useRealStack();

const key = () => `e2e-${randomBytes(6).toString('hex')}`;
const eur = (amount: string) => ({ amount, currency: 'EUR' });
/** Registers someone, proves their email and waits until every subgraph knows their wallet. */
const person = (name: string) => registerPerson(stack, name);

/** The operation once settled: the mutation waits for it, and a client follows `operation(id)` if it did not. */
const settled = (client: Client, op: OperationFieldsFragment) => settledOperation(client, op, 20_000);

async function walletView(p: Person) {
  const res = await p.client.request(WalletOperationsDocument, { id: p.walletId, first: 20 });
  expect(res.errors).toBeUndefined();
  return res.data!.wallet!;
}

async function deposit(p: Person, amount: string, idempotencyKey = key()) {
  const res = await p.client.request(DepositDocument, {
    input: { walletId: p.walletId, amount: eur(amount), idempotencyKey },
    waitMs: 10_000,
  });
  expect(res.errors).toBeUndefined();
  return settled(p.client, res.data!.deposit);
}

describe('money through the gateway, real mode', () => {
  it('a deposit settles COMPLETED and the balance shows it', async () => {
    const ada = await person('ada');
    const op = await deposit(ada, '25.50');
    expect(op).toMatchObject({
      kind: 'DEPOSIT',
      status: 'COMPLETED',
      failureCode: null,
      direction: 'IN',
      amount: { amount: '25.50', currency: 'EUR', minorUnits: '2550' },
      wallet: { id: ada.walletId },
      settledAt: expect.any(String),
    });
    const wallet = await walletView(ada);
    expect(wallet.balance.total).toEqual({ amount: '25.50', currency: 'EUR', minorUnits: '2550' });
    expect(wallet.balance.available.minorUnits).toBe('2550');
    expect(wallet.operations.edges.map((e) => e.node.id)).toEqual([op.id]);
  });

  it('a withdrawal of more than is available settles FAILED with INSUFFICIENT_FUNDS and moves nothing', async () => {
    const bea = await person('bea');
    await deposit(bea, '10.00');
    const res = await bea.client.request(WithdrawDocument, {
      input: { walletId: bea.walletId, amount: eur('10.01'), idempotencyKey: key() },
      waitMs: 10_000,
    });
    expect(res.errors).toBeUndefined();
    const op = await settled(bea.client, res.data!.withdraw);
    expect(op).toMatchObject({ kind: 'WITHDRAWAL', status: 'FAILED', failureCode: 'INSUFFICIENT_FUNDS' });
    expect((await walletView(bea)).balance.total.minorUnits).toBe('1000');

    const within = await bea.client.request(WithdrawDocument, {
      input: { walletId: bea.walletId, amount: eur('4.00'), idempotencyKey: key() },
      waitMs: 10_000,
    });
    expect(await settled(bea.client, within.data!.withdraw)).toMatchObject({
      status: 'COMPLETED',
      direction: 'OUT',
    });
    expect((await walletView(bea)).balance.total.minorUnits).toBe('600');
  });

  it('a transfer by email that fails for want of funds does not reveal the recipient’s wallet', async () => {
    const [eli, fen] = await Promise.all([person('eli'), person('fen')]);
    const res = await eli.client.request(TransferDocument, {
      input: { fromWalletId: eli.walletId, toEmail: fen.email, amount: eur('1.00'), idempotencyKey: key() },
      waitMs: 0,
    });
    expect(res.errors).toBeUndefined();
    // Not while it is pending either.
    expect(res.data!.transfer).toMatchObject({ status: 'PENDING', counterpartyWallet: null });
    const op = await settled(eli.client, res.data!.transfer);
    expect(op).toMatchObject({
      status: 'FAILED',
      failureCode: 'INSUFFICIENT_FUNDS',
      counterpartyWallet: null,
    });
    expect(JSON.stringify(op)).not.toContain(fen.walletId);
  });

  it('a transfer by email shows on both wallets, each from its own side, and moves the money', async () => {
    const [cyd, dan] = await Promise.all([person('cyd'), person('dan')]);
    await deposit(cyd, '50.00');
    const res = await cyd.client.request(TransferDocument, {
      input: {
        fromWalletId: cyd.walletId,
        toEmail: dan.email.toUpperCase(),
        amount: eur('20.00'),
        idempotencyKey: key(),
        note: 'concert tickets',
      },
      waitMs: 10_000,
    });
    expect(res.errors).toBeUndefined();
    const op = await settled(cyd.client, res.data!.transfer);
    expect(op).toMatchObject({
      kind: 'TRANSFER',
      status: 'COMPLETED',
      direction: 'OUT',
      wallet: { id: cyd.walletId },
      counterpartyWallet: { id: dan.walletId },
    });

    const sender = await walletView(cyd);
    expect(sender.balance.total.minorUnits).toBe('3000');
    expect(sender.operations.edges[0]!.node).toMatchObject({ id: op.id, direction: 'OUT' });

    const recipient = await walletView(dan);
    expect(recipient.balance.total.minorUnits).toBe('2000');
    expect(recipient.operations.edges.map((e) => e.node)).toEqual([
      expect.objectContaining({
        id: op.id,
        kind: 'TRANSFER',
        status: 'COMPLETED',
        direction: 'IN',
        amount: { amount: '20.00', currency: 'EUR', minorUnits: '2000' },
        wallet: { id: dan.walletId },
        counterpartyWallet: { id: cyd.walletId },
        note: 'concert tickets',
      }),
    ]);
    const asRecipient = await dan.client.request(OperationDocument, { id: op.id });
    expect(asRecipient.data!.operation).toMatchObject({
      id: op.id,
      direction: 'IN',
      wallet: { id: dan.walletId },
    });
  });

  it('a transfer’s recipient sees the incoming operation, but never the sender’s balance or other wallets', async () => {
    const [eve, fay] = await Promise.all([person('eve'), person('fay')]);
    await deposit(eve, '80.00');
    const opened = await eve.client.request(OpenWalletDocument, {
      input: { name: 'Savings', currency: 'EUR' },
    });
    expect(opened.errors).toBeUndefined();
    const eveOther = opened.data!.openWallet.id;
    const res = await eve.client.request(TransferDocument, {
      input: { fromWalletId: eve.walletId, toEmail: fay.email, amount: eur('5.00'), idempotencyKey: key() },
      waitMs: 10_000,
    });
    const op = await settled(eve.client, res.data!.transfer);
    expect(op.status).toBe('COMPLETED');

    // Everything a recipient might try, in one request, with Fay's own token.
    const probe = await gql(
      stack.url,
      /* GraphQL */ `
        query Probe($op: ID!, $sender: ID!, $other: ID!) {
          operation(id: $op) {
            id
            direction
            counterpartyWallet { id balance { total { amount minorUnits } } owner { id wallets { id } } }
          }
          senderWallet: wallet(id: $sender) { id balance { total { minorUnits } } }
          otherWallet: wallet(id: $other) { id }
        }
      `,
      { op: op.id, sender: eve.walletId, other: eveOther },
      { token: fay.token },
    );
    const data = probe.data as {
      operation: { id: string; direction: string; counterpartyWallet: unknown } | null;
      senderWallet: unknown;
      otherWallet: unknown;
    };
    expect(data.operation).toMatchObject({ id: op.id, direction: 'IN', counterpartyWallet: null });
    expect(data.senderWallet).toBeNull();
    expect(data.otherWallet).toBeNull();
    // Eve holds 75.00 after the transfer: no trace of it, nor of her other wallet, anywhere.
    const everything = JSON.stringify(probe);
    expect(everything).not.toContain('7500');
    expect(everything).not.toContain('75.00');
    expect(everything).not.toContain(eveOther);

    // What a recipient may see of the sender's wallet: its id and its owner's display name, once
    // the wallet subgraph has projected the settled transfer (asynchronously, from its event).
    const who = await waitFor('the sender’s wallet to be visible to the recipient', async () => {
      const res = await gql(
        stack.url,
        /* GraphQL */ `
          query Who($op: ID!) {
            operation(id: $op) { counterpartyWallet { id owner { displayName } } }
          }
        `,
        { op: op.id },
        { token: fay.token },
      );
      return (res.data as { operation: { counterpartyWallet: unknown } | null })?.operation
        ?.counterpartyWallet
        ? res
        : undefined;
    });
    expect(who).toMatchObject({
      data: { operation: { counterpartyWallet: { id: eve.walletId, owner: { displayName: 'eve' } } } },
    });
    expect(who.errors).toBeUndefined();
    // Anything more of it is refused as for a wallet that does not exist.
    const more = await gql(
      stack.url,
      'query ($op: ID!) { operation(id: $op) { counterpartyWallet { id name } } }',
      { op: op.id },
      { token: fay.token },
    );
    expect(more.data).toEqual({ operation: { counterpartyWallet: null } });
    expect(more.errors?.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
  });

  it('a transfer to an email nobody registered settles FAILED with RECIPIENT_NOT_FOUND', async () => {
    const eve = await person('eve');
    const res = await eve.client.request(TransferDocument, {
      input: {
        fromWalletId: eve.walletId,
        toEmail: 'nobody@example.invalid',
        amount: eur('1'),
        idempotencyKey: key(),
      },
    });
    expect(res.errors).toBeUndefined();
    expect(res.data!.transfer).toMatchObject({ status: 'FAILED', failureCode: 'RECIPIENT_NOT_FOUND' });
  });

  it('an email is a payment address only once its owner proved it', async () => {
    // Regression: whoever registered payroll@… first received every transfer sent there.
    const [gil, squatter] = await Promise.all([person('gil'), register(stack.url, 'payroll')]);
    await deposit(gil, '5.00');
    // The squatter's default wallet is known to transactions: only the proof is missing.
    await waitFor('transactions to know the squatter’s wallet', () =>
      withSql(stack.databases.transactions!, async (sql) => {
        const [row] =
          await sql`select exists (select 1 from wallet_projection w where w.owner_id = ${squatter.user.id}) as known`;
        return row?.known === true;
      }),
    );
    const send = () =>
      gil.client.request(TransferDocument, {
        input: {
          fromWalletId: gil.walletId,
          toEmail: squatter.email,
          amount: eur('1.00'),
          idempotencyKey: key(),
        },
        waitMs: 10_000,
      });
    // Exactly what an address nobody registered answers.
    expect((await send()).data!.transfer).toMatchObject({
      status: 'FAILED',
      failureCode: 'RECIPIENT_NOT_FOUND',
    });
    await verifyEmail(stack, squatter.accessToken, squatter.email);
    await waitFor('transactions to learn the proven address', () =>
      withSql(stack.databases.transactions!, async (sql) => {
        const [row] =
          await sql`select exists (select 1 from user_emails where email = ${squatter.email}) as known`;
        return row?.known === true;
      }),
    );
    expect((await send()).data!.transfer).toMatchObject({ status: 'COMPLETED' });
  });

  it('a retry with the same key returns the same operation and moves the money once', async () => {
    const fay = await person('fay');
    const idempotencyKey = key();
    const first = await deposit(fay, '7.00', idempotencyKey);
    const retries = await Promise.all([
      deposit(fay, '7', idempotencyKey),
      deposit(fay, '7.00', idempotencyKey),
    ]);
    for (const retry of retries) expect(retry).toEqual(first);
    expect((await walletView(fay)).balance.total.minorUnits).toBe('700');

    const reused = await fay.client.request(DepositDocument, {
      input: { walletId: fay.walletId, amount: eur('8.00'), idempotencyKey },
    });
    expect(reused.errors?.map((e) => e.extensions?.code)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    expect((await walletView(fay)).balance.total.minorUnits).toBe('700');
  });
});
