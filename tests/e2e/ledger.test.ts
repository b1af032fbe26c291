import { randomBytes } from 'node:crypto';
import { createEvent, type Event } from '@walletgraph/events';
import { waitFor } from '@walletgraph/platform/test/support/infra';
import { testServices } from '@walletgraph/platform/test/support/services';
import { createClient, RegisterDocument } from '@walletgraph/sdk';
import amqp from 'amqplib';
import { describe, expect, it } from 'vitest';
import { postGraphQL } from '../support/http.ts';
import type { TestStack } from '../support/stack.ts';
import { useRealStack } from '../support/use-stack.ts';

const WALLET = /* GraphQL */ `
  query {
    me {
      defaultWallet {
        id
        jars { id name balance { amount } }
        balance { total { amount currency } available { amount } allocated { amount } }
        statement(first: 10) {
          edges { node { sequence description amount { amount } balanceAfter { amount } operation { id } } }
          pageInfo { hasNextPage }
        }
      }
    }
  }
`;

/** Sends commands to the stack's exchange as the transactions subgraph's relay would. */
async function sendCommands(stack: TestStack, commands: Event<'ledger.post.v1'>[]): Promise<void> {
  const connection = await amqp.connect(testServices.amqp);
  try {
    const channel = await connection.createConfirmChannel();
    for (const c of commands) {
      channel.publish(stack.exchange, c.type, Buffer.from(JSON.stringify(c)), {
        messageId: c.id,
        type: c.type,
        persistent: true,
        contentType: 'application/json',
      });
    }
    await channel.waitForConfirms();
  } finally {
    await connection.close();
  }
}

function command(key: string, postings: [string, string][], description: string): Event<'ledger.post.v1'> {
  return createEvent(
    'ledger.post.v1',
    {
      aggregateId: key,
      data: {
        idempotencyKey: key,
        operationId: null,
        description,
        postings: postings.map(([account, amount]) => ({ account, amount, currency: 'EUR' })),
      },
    },
    { correlationId: `e2e-${key}` },
  );
}

describe('the ledger through the gateway, real mode', () => {
  const stack = useRealStack();

  it('shows a posted command in the wallet’s balance and statement', async () => {
    const email = `ledger.${randomBytes(4).toString('hex')}@example.com`;
    const registered = await createClient({ url: stack.url }).request(RegisterDocument, {
      input: { email, password: 'correct horse battery staple 42', displayName: 'Ada', currency: 'EUR' },
    });
    const token = registered.data!.register.accessToken;
    const read = async () => {
      const res = await postGraphQL(
        stack.url,
        { query: WALLET },
        { headers: { authorization: `Bearer ${token}` } },
      );
      expect(res.errors).toBeUndefined();
      return res.data.me.defaultWallet;
    };
    const wallet = await waitFor('the wallet and its Income jar', async () => {
      const w = await read();
      return w?.jars.length === 1 && w;
    });
    const available = `wallet:${wallet.id}:available`;
    const jar = `jar:${wallet.jars[0].id}`;
    const key = randomBytes(6).toString('hex');

    await sendCommands(stack, [
      command(
        `${key}-deposit`,
        [
          ['external:deposits:EUR', '-1250'],
          [available, '1250'],
        ],
        'Top-up',
      ),
      command(
        `${key}-allocate`,
        [
          [available, '-250'],
          [jar, '250'],
        ],
        'Set aside',
      ),
      command(
        `${key}-withdraw`,
        [
          [available, '-2000'],
          ['external:withdrawals:EUR', '2000'],
        ],
        'Too much',
      ),
    ]);

    // The wallet's balance and statement come from one ledger fetch, read in one snapshot: every
    // response must show them in agreement. A jar's balance comes from a later fetch of the
    // gateway's plan (after jars lists the wallet's jars), which may run before or after the
    // wallet's: it is awaited, not compared within one response.
    const disagreements: string[] = [];
    const after = await waitFor('both entries on the statement and in the jar', async () => {
      const w = await read();
      const newest = w.statement.edges[0]?.node.balanceAfter.amount ?? '0.00';
      if (w.balance.total.amount !== newest) disagreements.push(`${w.balance.total.amount} vs ${newest}`);
      return w.statement.edges.length === 2 && w.jars[0].balance.amount === '2.50' && w;
    });
    expect(disagreements).toEqual([]);
    expect(after.balance).toEqual({
      total: { amount: '12.50', currency: 'EUR' },
      available: { amount: '10.00' },
      allocated: { amount: '2.50' },
    });
    expect(after.jars[0].balance).toEqual({ amount: '2.50' });
    expect(after.statement.edges.map((e: { node: Record<string, { amount: string }> }) => e.node)).toEqual([
      expect.objectContaining({
        description: 'Set aside',
        amount: { amount: '0.00' },
        balanceAfter: { amount: '12.50' },
      }),
      expect.objectContaining({
        description: 'Top-up',
        amount: { amount: '12.50' },
        balanceAfter: { amount: '12.50' },
      }),
    ]);
    expect(after.statement.pageInfo.hasNextPage).toBe(false);
  });
});
