import { describe, expect, it } from 'vitest';
import { createEvent, InvalidEventError, parseEvent } from './index.ts';

const wallet = '0196f0a0-0000-7000-8000-000000000001';
const meta = { correlationId: 'c1' };
const post = (postings: { account: string; amount: string; currency: string }[]) =>
  createEvent(
    'ledger.post.v1',
    {
      aggregateId: 'op',
      data: { idempotencyKey: 'k1', operationId: null, description: 'Deposit', postings },
    },
    meta,
  );

describe('event contracts', () => {
  it('round-trips a ledger command through the envelope', () => {
    const event = post([
      { account: 'external:deposits:USD', amount: '-1250', currency: 'USD' },
      { account: `wallet:${wallet}:available`, amount: '1250', currency: 'USD' },
    ]);
    expect(parseEvent(JSON.parse(JSON.stringify(event)))).toEqual(event);
  });

  it('refuses amounts that are not integer minor units, and unknown account names', () => {
    expect(() =>
      post([
        { account: 'external:deposits:USD', amount: '-12.50', currency: 'USD' },
        { account: `wallet:${wallet}:available`, amount: '12.50', currency: 'USD' },
      ]),
    ).toThrow(InvalidEventError);
    expect(() =>
      post([
        { account: 'external:deposits:USD', amount: '-1', currency: 'USD' },
        { account: 'someone-else:1', amount: '1', currency: 'USD' },
      ]),
    ).toThrow(InvalidEventError);
  });

  it('refuses an envelope of an unknown type or with a broken payload', () => {
    const event = post([
      { account: 'external:deposits:USD', amount: '-1', currency: 'USD' },
      { account: `wallet:${wallet}:available`, amount: '1', currency: 'USD' },
    ]);
    expect(() => parseEvent({ ...event, type: 'ledger.unknown.v1' })).toThrow(/unknown event type/);
    expect(() => parseEvent({ ...event, data: { ...event.data, postings: [] } })).toThrow(
      /invalid ledger\.post\.v1/,
    );
  });
});

describe('jars.jar_created.v1', () => {
  const jar = {
    jarId: '0196f0a0-0000-7000-8000-00000000001a',
    walletId: wallet,
    ownerId: '0196f0a0-0000-7000-8000-00000000a11c',
    name: 'Groceries',
    kind: 'EXPENSE' as const,
    currency: 'EUR',
  };
  const envelope = createEvent('jars.jar_created.v1', { aggregateId: jar.jarId, data: jar }, meta);
  /** The envelope as a consumer receives it (JSON), with `data` changed. */
  const created = (data: Record<string, unknown>) =>
    JSON.parse(JSON.stringify({ ...envelope, data: { ...jar, ...data } }));

  it('still accepts an event published before jars announced budgets', () => {
    expect(() => parseEvent(created({}))).not.toThrow();
  });

  it('carries an expense jar’s budget, or null for a jar without one', () => {
    const budget = { limit: '40000', period: 'MONTHLY', blocksOverspend: true };
    expect(parseEvent(created({ budget })).data).toMatchObject({ budget });
    expect(parseEvent(created({ budget: null })).data).toMatchObject({ budget: null });
  });

  it.each([
    { limit: '0', period: 'MONTHLY' },
    { limit: '-5', period: 'MONTHLY' },
    { limit: '500', period: 'DAILY' },
  ])(
    'refuses a budget with limit $limit and period $period: the limit must be a positive amount, the period known',
    (budget) => {
      expect(() => parseEvent(created({ budget: { ...budget, blocksOverspend: false } }))).toThrow(
        InvalidEventError,
      );
    },
  );
});
