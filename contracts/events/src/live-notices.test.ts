import { describe, expect, it } from 'vitest';
import {
  createLiveNotice,
  InvalidLiveNoticeError,
  type LiveNotice,
  type LiveTopic,
  liveNoticeObjectId,
  liveTopics,
  readLiveNotice,
} from './index.ts';

const wallet = '0196f0a0-0000-7000-8000-000000000001';
const entry = '0196f0a0-0000-7000-8000-000000000002';
const operation = '0196f0a0-0000-7000-8000-000000000003';
const jar = '0196f0a0-0000-7000-8000-00000000001a';

/** A valid notice of each topic, and the id of the object it is about. */
const valid: { [T in LiveTopic]: { notice: LiveNotice<T>; objectId: string | null } } = {
  balanceChanged: {
    notice: { walletId: wallet, entryId: entry, operationId: operation, delta: '-1250', currency: 'USD' },
    objectId: wallet,
  },
  operationUpdated: { notice: { id: operation }, objectId: operation },
  jarUpdated: { notice: { jarId: jar }, objectId: jar },
  goalAchieved: { notice: { jarId: jar, achievedAt: '2026-01-02T03:04:05.000Z' }, objectId: null },
  budgetAlert: {
    notice: { jarId: jar, thresholdPercent: 80, spent: '8000', limit: '10000', currency: 'EUR' },
    objectId: null,
  },
};

const cases = liveTopics.map((topic) => ({ topic, ...valid[topic] }));

describe('live notices', () => {
  it('has a case for every topic', () => {
    expect(liveTopics).toEqual([
      'balanceChanged',
      'operationUpdated',
      'jarUpdated',
      'goalAchieved',
      'budgetAlert',
    ]);
  });

  it.each(cases)('$topic: built as version 1 and read back through JSON', ({ topic, notice, objectId }) => {
    const message = createLiveNotice(topic, notice);
    expect(message).toEqual({ v: 1, ...notice });
    const read = readLiveNotice(topic, JSON.parse(JSON.stringify(message)));
    expect(read).toEqual(notice);
    expect(liveNoticeObjectId(topic, read!)).toBe(objectId);
  });

  it('reads a balance change of an operation-less entry (operationId null)', () => {
    const notice = { ...valid.balanceChanged.notice, operationId: null };
    expect(readLiveNotice('balanceChanged', { v: 1, ...notice })).toEqual(notice);
  });

  const broken: [string, LiveTopic, Record<string, unknown>][] = [
    ['an amount in major units', 'balanceChanged', { ...valid.balanceChanged.notice, delta: '12.50' }],
    ['an amount as a number', 'balanceChanged', { ...valid.balanceChanged.notice, delta: 1250 }],
    ['a lowercase currency', 'balanceChanged', { ...valid.balanceChanged.notice, currency: 'usd' }],
    ['an id that is no uuid', 'operationUpdated', { id: 'op-1' }],
    ['a missing object id', 'jarUpdated', {}],
    ['a missing wallet id', 'balanceChanged', { ...valid.balanceChanged.notice, walletId: undefined }],
    ['a date that is not ISO', 'goalAchieved', { jarId: jar, achievedAt: 'yesterday' }],
    ['a threshold as a string', 'budgetAlert', { ...valid.budgetAlert.notice, thresholdPercent: '80' }],
    ['a fractional threshold', 'budgetAlert', { ...valid.budgetAlert.notice, thresholdPercent: 80.5 }],
  ];

  it.each(broken)('refuses %s when built, and reads it as null', (_, topic, notice) => {
    expect(() => createLiveNotice(topic, notice as never)).toThrow(InvalidLiveNoticeError);
    expect(readLiveNotice(topic, { v: 1, ...notice })).toBeNull();
  });

  it.each([
    ['an unknown version', { v: 2, id: operation }],
    ['no version', { id: operation }],
    ['a version as a string', { v: '1', id: operation }],
    ['a string', JSON.stringify({ v: 1, id: operation })],
    ['null', null],
  ])('reads %s as null', (_, message) => {
    expect(readLiveNotice('operationUpdated', message)).toBeNull();
  });

  it('names the topic and the offending field when it refuses to build one', () => {
    const error = (() => {
      try {
        createLiveNotice('jarUpdated', { jarId: 'nope' });
      } catch (err) {
        return err as InvalidLiveNoticeError;
      }
    })();
    expect(error?.message).toBe('invalid jarUpdated notice');
    expect(error?.issues).toMatchObject([{ path: ['jarId'] }]);
  });
});
