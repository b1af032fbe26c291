import { randomBytes } from 'node:crypto';
import { uuidv7 } from '@walletgraph/events';
import { billerUrl } from '@walletgraph/platform/config';
import { waitFor } from '@walletgraph/platform/test/support/infra';
import { testServices } from '@walletgraph/platform/test/support/services';
import { createClient, LoginDocument, MeDocument, RegisterDocument } from '@walletgraph/sdk';
import amqp from 'amqplib';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import type { TestStack } from '../support/stack.ts';
import { useEmbeddedStack, useRealStack } from '../support/use-stack.ts';

const password = 'correct horse battery staple 42';

function newEmail() {
  return `Person.${randomBytes(4).toString('hex')}@Example.com`;
}

async function register(url: string, email: string, currency: string) {
  const res = await createClient({ url }).request(RegisterDocument, {
    input: { email, password, displayName: 'Ada Lovelace', currency },
  });
  expect(res.errors).toBeUndefined();
  return res.data!.register;
}

/** Polls `me` until the default wallet, its Income jar and its ledger balance have all appeared. */
async function meWhenProvisioned(url: string, token: string) {
  const client = createClient({ url, token });
  return waitFor(
    'the default wallet, Income jar and balance to appear',
    async () => {
      const res = await client.request(MeDocument);
      const wallet = res.data?.me?.defaultWallet;
      if (res.errors || !wallet || wallet.jars.length === 0) return undefined;
      return res.data!.me!;
    },
    { timeoutMs: 20_000 },
  );
}

/** The vertical slice, identical in both run modes. */
function registrationSlice(stack: TestStack): void {
  it('gives a newly registered person a default wallet and an Income jar, with a zero balance from the ledger', async () => {
    const email = newEmail();
    const session = await register(stack.url, email, 'EUR');
    expect(session.user.email).toBe(email.toLowerCase());
    expect(session.accessToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

    const me = await meWhenProvisioned(stack.url, session.accessToken);
    expect(me.id).toBe(session.user.id);
    expect(me.defaultWallet).toMatchObject({ currency: 'EUR', status: 'ACTIVE' });
    expect(me.defaultWallet!.jars.map(({ name, kind }) => ({ name, kind }))).toEqual([
      { name: 'Income', kind: 'INCOME' },
    ]);
    expect(me.defaultWallet!.balance).toEqual({
      total: { amount: '0.00', currency: 'EUR', minorUnits: '0' },
      available: { amount: '0.00', currency: 'EUR' },
      allocated: { amount: '0.00', currency: 'EUR' },
    });
  });

  it('signs the person in again with the same credentials', async () => {
    const email = newEmail();
    const registered = await register(stack.url, email, 'JPY');
    const res = await createClient({ url: stack.url }).request(LoginDocument, {
      input: { email: email.toUpperCase(), password },
    });
    expect(res.errors).toBeUndefined();
    expect(res.data!.login.user.id).toBe(registered.user.id);
    const me = await meWhenProvisioned(stack.url, res.data!.login.accessToken);
    expect(me.defaultWallet!.balance.total).toEqual({ amount: '0', currency: 'JPY', minorUnits: '0' });
  });

  it('answers me with null and no data for an anonymous caller', async () => {
    const res = await createClient({ url: stack.url }).request(MeDocument);
    expect(res.errors).toBeUndefined();
    expect(res.data!.me).toBeNull();
  });
}

/**
 * Bill payments will call the simulated biller over HTTP in every mode; each mode must start it.
 * Here, beside the slice, so no extra stack is started for it.
 */
function servesTheBiller(stack: TestStack): void {
  it('serves the simulated biller on its own port, beside the gateway', async () => {
    const res = await fetch(`${billerUrl(stack.config)}/billers`);
    expect(res.status).toBe(200);
    expect(await res.json()).toContainEqual(
      expect.objectContaining({ id: 'metro-power', category: 'ELECTRICITY' }),
    );
  });
}

describe('registration through the gateway, embedded mode (PGlite, in-process bus, one process)', () => {
  const stack = useEmbeddedStack();
  registrationSlice(stack);
  servesTheBiller(stack);
});

describe('registration through the gateway, real mode (Postgres, RabbitMQ, Redis, seven processes)', () => {
  const stack = useRealStack();
  registrationSlice(stack);
  servesTheBiller(stack);

  it('carries the request correlation id into every event it causes, each caused by the one before', async () => {
    const correlationId = `e2e-${randomBytes(6).toString('hex')}`;
    const res = await createClient({
      url: stack.url,
      headers: { 'x-correlation-id': correlationId },
    }).request(RegisterDocument, {
      input: { email: newEmail(), password, displayName: 'Grace Hopper', currency: 'GBP' },
    });
    expect(res.errors).toBeUndefined();
    await meWhenProvisioned(stack.url, res.data!.register.accessToken);

    const envelopeOf = async (name: string, type: string) => {
      const sql = postgres(stack.databases[name]!, { max: 1, onnotice: () => {} });
      try {
        const rows =
          await sql`select envelope from outbox where type = ${type} and envelope->>'correlationId' = ${correlationId}`;
        expect(rows).toHaveLength(1);
        return rows[0]!.envelope as { id: string; correlationId: string; causationId: string | null };
      } finally {
        await sql.end();
      }
    };
    const registered = await envelopeOf('identity', 'identity.user_registered.v1');
    const opened = await envelopeOf('wallet', 'wallet.opened.v1');
    const created = await envelopeOf('jars', 'jars.jar_created.v1');
    expect(registered.causationId).toBeNull();
    expect(opened.causationId).toBe(registered.id);
    expect(created.causationId).toBe(opened.id);
  });

  it('changes nothing when every event of the slice is delivered again, with the same id or a new one', async () => {
    const session = await register(stack.url, newEmail(), 'USD');
    const userId = session.user.id;
    const before = await meWhenProvisioned(stack.url, session.accessToken);
    const walletId = before.defaultWallet!.id;

    const db = (name: string) => postgres(stack.databases[name]!, { max: 1, onnotice: () => {} });
    const [identity, wallet, jars, ledger] = ['identity', 'wallet', 'jars', 'ledger'].map(db) as [
      postgres.Sql,
      postgres.Sql,
      postgres.Sql,
      postgres.Sql,
    ];
    try {
      const envelopes = [
        ...(await identity`select envelope from outbox where type = 'identity.user_registered.v1' and envelope->'data'->>'userId' = ${userId}`),
        ...(await wallet`select envelope from outbox where type = 'wallet.opened.v1' and envelope->'data'->>'walletId' = ${walletId}`),
        ...(await jars`select envelope from outbox where type = 'jars.jar_created.v1' and envelope->'data'->>'walletId' = ${walletId}`),
      ].map((row) => row.envelope as { id: string; type: string; correlationId: string });
      expect(envelopes.map((e) => e.type)).toEqual([
        'identity.user_registered.v1',
        'wallet.opened.v1',
        'jars.jar_created.v1',
      ]);

      // Redeliver each event as the relay would after a crash (same id), and as a re-emission
      // (new id). Copies go out in order, so once a consumer has recorded the new-id copy of an
      // event in its inbox, it has also been handed the same-id copy published before it.
      const copies = envelopes.map((envelope) => ({ same: envelope, fresh: { ...envelope, id: uuidv7() } }));
      const connection = await amqp.connect(testServices.amqp);
      try {
        const channel = await connection.createConfirmChannel();
        for (const { same, fresh } of copies) {
          for (const copy of [same, fresh]) {
            channel.publish(stack.exchange, copy.type, Buffer.from(JSON.stringify(copy)), {
              messageId: copy.id,
              type: copy.type,
              persistent: true,
              contentType: 'application/json',
            });
          }
        }
        await channel.waitForConfirms();
      } finally {
        await connection.close();
      }

      const [registered, opened, created] = copies.map((c) => c.fresh.id) as [string, string, string];
      const handled = async (sql: postgres.Sql, ids: string[]) => {
        const [row] = await sql`select count(*)::int as n from inbox where message_id = any(${ids})`;
        return row!.n === ids.length;
      };
      await waitFor('wallet to consume the redeliveries', () => handled(wallet, [registered]));
      await waitFor('jars to consume the redeliveries', () => handled(jars, [opened]));
      await waitFor('ledger to consume the redeliveries', () => handled(ledger, [opened, created]));

      const [wallets] = await wallet`select count(*)::int as n from wallets where owner_id = ${userId}`;
      const [openedEvents] =
        await wallet`select count(*)::int as n from outbox where type = 'wallet.opened.v1' and envelope->'data'->>'ownerId' = ${userId}`;
      const [jarRows] = await jars`select count(*)::int as n from jars where wallet_id = ${walletId}`;
      const [createdEvents] =
        await jars`select count(*)::int as n from outbox where type = 'jars.jar_created.v1' and envelope->'data'->>'walletId' = ${walletId}`;
      const [accounts] = await ledger`select count(*)::int as n from accounts where wallet_id = ${walletId}`;
      expect({
        wallets: wallets!.n,
        opened: openedEvents!.n,
        jars: jarRows!.n,
        created: createdEvents!.n,
        accounts: accounts!.n,
      }).toEqual({ wallets: 1, opened: 1, jars: 1, created: 1, accounts: 2 });

      const after = await meWhenProvisioned(stack.url, session.accessToken);
      expect(after).toEqual(before);
    } finally {
      await Promise.all([identity, wallet, jars, ledger].map((sql) => sql.end()));
    }
  });

  it('shuts every service down cleanly on SIGTERM: HTTP drained, relays and consumers stopped, exit 0', async () => {
    await expect(stack[Symbol.asyncDispose]()).resolves.toBeUndefined();
  });
});
