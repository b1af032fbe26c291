import { createEvent, uuidv7 } from '@walletgraph/events';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { jarProjection, userEmails, walletProjection } from '../db/schema.ts';
import { useTransactionsHarness } from './use-harness.ts';

const h = useTransactionsHarness();
const meta = { correlationId: 'projection-test' };

const walletRow = async (walletId: string) =>
  (await h.service.db.db.select().from(walletProjection).where(eq(walletProjection.walletId, walletId)))[0];
const jarRow = async (jarId: string) =>
  (await h.service.db.db.select().from(jarProjection).where(eq(jarProjection.jarId, jarId)))[0];
const emailRow = async (userId: string) =>
  (await h.service.db.db.select().from(userEmails).where(eq(userEmails.userId, userId)))[0];

const jarCreated = (jarId: string, walletId: string, ownerId: string, occurredAt?: Date) =>
  createEvent(
    'jars.jar_created.v1',
    {
      aggregateId: jarId,
      data: { jarId, walletId, ownerId, name: 'Holiday', kind: 'SAVINGS', currency: 'JPY' },
      ...(occurredAt ? { occurredAt } : {}),
    },
    meta,
  );
const jarArchived = (jarId: string, walletId: string, ownerId: string) =>
  createEvent('jars.jar_archived.v1', { aggregateId: jarId, data: { jarId, walletId, ownerId } }, meta);

const opened = (walletId: string, ownerId: string) =>
  createEvent(
    'wallet.opened.v1',
    { aggregateId: walletId, data: { walletId, ownerId, name: 'Main', currency: 'JPY', isDefault: true } },
    meta,
  );

describe('projections', () => {
  it('a wallet opened is known with its owner, currency and default flag; a redelivery changes nothing', async () => {
    const walletId = uuidv7();
    const ownerId = uuidv7();
    const event = opened(walletId, ownerId);
    await h.deliver(event);
    const first = await walletRow(walletId);
    expect(first).toMatchObject({ ownerId, currency: 'JPY', isDefault: true, status: 'ACTIVE' });
    await h.deliver({ ...event, id: uuidv7() });
    expect(await walletRow(walletId)).toEqual(first);
  });

  it('an archive that arrives before the opening is retried until the wallet is known', async () => {
    const walletId = uuidv7();
    const ownerId = uuidv7();
    const archived = createEvent(
      'wallet.archived.v1',
      { aggregateId: walletId, data: { walletId, ownerId } },
      meta,
    );
    const open = opened(walletId, ownerId);
    // Both published before either is handled: the archive fails, is retried, and lands after the opening.
    await h.deliver(archived, open);
    expect(await walletRow(walletId)).toMatchObject({ status: 'ARCHIVED' });
  });

  it('a user’s email is the latest address they proved, however the events arrive', async () => {
    const userId = uuidv7();
    const at = (s: number) => new Date(Date.UTC(2026, 10, 22, 10, 0, s));
    const verified = (email: string, s: number) =>
      createEvent(
        'identity.email_verified.v1',
        { aggregateId: userId, data: { userId, email }, occurredAt: at(s) },
        meta,
      );
    await h.deliver(verified('ada@example.org', 5), verified('ada@example.com', 0));
    expect(await emailRow(userId)).toMatchObject({ email: 'ada@example.org', updatedAt: at(5) });
  });

  it('an address only registered or written in a profile is no payment address', async () => {
    const userId = uuidv7();
    const registered = createEvent(
      'identity.user_registered.v1',
      {
        aggregateId: userId,
        data: { userId, email: 'payroll@example.com', displayName: 'P', currency: 'EUR' },
      },
      meta,
    );
    const updated = createEvent(
      'identity.user_updated.v1',
      { aggregateId: userId, data: { userId, email: 'payroll@example.com', displayName: 'P' } },
      meta,
    );
    await h.deliver(registered, updated);
    expect(await emailRow(userId)).toBeUndefined();
  });

  it('a jar created is known with its wallet, owner, name, kind and currency; a redelivery changes nothing', async () => {
    const [jarId, walletId, ownerId] = [uuidv7(), uuidv7(), uuidv7()];
    const at = new Date(Date.UTC(2026, 10, 22, 10, 0, 0));
    const event = jarCreated(jarId, walletId, ownerId, at);
    await h.deliver(event);
    const first = await jarRow(jarId);
    expect(first).toEqual({
      jarId,
      walletId,
      ownerId,
      name: 'Holiday',
      kind: 'SAVINGS',
      currency: 'JPY',
      status: 'ACTIVE',
      createdAt: at,
      // Announced without a budget (as before events carried one): nothing to enforce.
      budgetLimitMinor: null,
      budgetPeriod: null,
      blocksOverspend: null,
    });
    await h.deliver({ ...event, id: uuidv7() });
    expect(await jarRow(jarId)).toEqual(first);
  });

  it('an expense jar is known with its budget: limit, period and whether it blocks overspending', async () => {
    const [jarId, walletId, ownerId] = [uuidv7(), uuidv7(), uuidv7()];
    const event = createEvent(
      'jars.jar_created.v1',
      {
        aggregateId: jarId,
        data: {
          jarId,
          walletId,
          ownerId,
          name: 'Groceries',
          kind: 'EXPENSE',
          currency: 'JPY',
          budget: { limit: '40000', period: 'WEEKLY', blocksOverspend: true },
        },
      },
      meta,
    );
    await h.deliver(event);
    expect(await jarRow(jarId)).toMatchObject({
      kind: 'EXPENSE',
      budgetLimitMinor: 40000n,
      budgetPeriod: 'WEEKLY',
      blocksOverspend: true,
    });
  });

  it('a jar archived is ARCHIVED for good: a late redelivery of its creation changes nothing', async () => {
    const [jarId, walletId, ownerId] = [uuidv7(), uuidv7(), uuidv7()];
    const created = jarCreated(jarId, walletId, ownerId);
    await h.deliver(created, jarArchived(jarId, walletId, ownerId));
    expect(await jarRow(jarId)).toMatchObject({ status: 'ARCHIVED' });
    await h.deliver({ ...created, id: uuidv7() });
    expect(await jarRow(jarId)).toMatchObject({ status: 'ARCHIVED' });
  });

  it('a jar archive that arrives before the creation is retried until the jar is known', async () => {
    const [jarId, walletId, ownerId] = [uuidv7(), uuidv7(), uuidv7()];
    // Both published before either is handled: the archive fails, is retried, and lands after the creation.
    await h.deliver(jarArchived(jarId, walletId, ownerId), jarCreated(jarId, walletId, ownerId));
    expect(await jarRow(jarId)).toMatchObject({ jarId, status: 'ARCHIVED' });
  });
});
