import { randomBytes } from 'node:crypto';
import { waitFor } from '@walletgraph/platform/test/support/infra';
import {
  BalanceChangedDocument,
  createClient,
  createLiveClient,
  DepositDocument,
  MeDocument,
  RegisterDocument,
} from '@walletgraph/sdk';
import type { ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { delivered } from '../support/live.ts';
import { eur, eurAmount, newKey } from '../support/money.ts';
import { useEmbeddedStack } from '../support/use-stack.ts';

/**
 * Embedded mode (one process, PGlite, in-process bus) serves the same subscriptions with an
 * in-memory pubsub in place of Redis.
 */

const stack = useEmbeddedStack();

describe('subscriptions in embedded mode', () => {
  it('delivers a balance change with a payload read across subgraphs', async () => {
    const email = `embedded.${randomBytes(4).toString('hex')}@example.com`;
    const registered = await createClient({ url: stack.url }).request(RegisterDocument, {
      input: { email, password: 'correct horse battery staple 42', displayName: 'Em', currency: 'EUR' },
    });
    expect(registered.errors).toBeUndefined();
    const token = registered.data!.register.accessToken;
    const client = createClient({ url: stack.url, token });
    const walletId = await waitFor('the default wallet and its Income jar', async () => {
      const me = await client.request(MeDocument);
      const wallet = me.data?.me?.defaultWallet;
      return wallet && wallet.jars.length > 0 ? wallet.id : undefined;
    });

    const live = createLiveClient({ url: stack.url, token, options: { retryAttempts: 0 } });
    try {
      const events: ExecutionResult[] = [];
      const iterator = live.subscribe(BalanceChangedDocument, { walletId });
      const reading = (async () => {
        for await (const event of iterator) events.push(event);
      })();
      // In-memory pubsub tells nobody when a subscriber is in place: deposit 1.00 at a time until
      // an event comes; from then on the subscription is listening.
      const deposit = async (minor: bigint) => {
        const res = await client.request(DepositDocument, {
          input: { walletId, amount: eur(minor), idempotencyKey: newKey('embedded') },
          waitMs: 10_000,
        });
        expect(res.errors).toBeUndefined();
        expect(res.data!.deposit.status).toBe('COMPLETED');
        return res.data!.deposit;
      };
      let warmUp = 0n;
      await waitFor(
        'a first balance event',
        async () => {
          if (events.length > 0) return true;
          await deposit(100n);
          warmUp += 100n;
          return undefined;
        },
        { timeoutMs: 30_000, intervalMs: 100 },
      );
      const op = await deposit(1_234n);
      const total = String(warmUp + 1_234n);
      const event = await waitFor('the 12.34 deposit’s event', async () =>
        events.find((e) => JSON.stringify(e).includes(op.id)),
      );
      expect(event).toEqual(
        delivered({
          balanceChanged: {
            delta: { amount: '12.34', currency: 'EUR', minorUnits: '1234' },
            wallet: {
              id: walletId,
              balance: {
                total: { amount: eurAmount(BigInt(total)), minorUnits: total },
                available: { minorUnits: total },
              },
              owner: { email },
              jars: [{ name: 'Income', balance: { amount: '0.00' } }],
            },
            // Read when delivered: the settlement may not be recorded yet (as in real mode).
            operation: { id: op.id, kind: 'DEPOSIT', status: expect.stringMatching(/^(PENDING|COMPLETED)$/) },
          },
        }),
      );
      await iterator.return?.();
      await reading;
    } finally {
      await live.dispose();
    }
  });
});
