import { ledgerAccount } from '@walletgraph/events';
import { describe, expect, it } from 'vitest';
import { movementsOf } from './projection.ts';

const JAR = '0196f0a0-0000-7000-8000-00000000000a';
const OTHER_JAR = '0196f0a0-0000-7000-8000-00000000000b';
const jar = ledgerAccount.jar(JAR);
const otherJar = ledgerAccount.jar(OTHER_JAR);
const available = ledgerAccount.walletAvailable('0196f0a0-0000-7000-8000-000000000001');
const hold = ledgerAccount.hold('0196f0a0-0000-7000-8000-0000000000f1');

/** A two-posting entry moving `amount` from one account to another. */
const entry = (from: string, to: string, amount: bigint) => [
  { account: from, amount: (-amount).toString() },
  { account: to, amount: amount.toString() },
];

describe('what a ledger entry did to jars', () => {
  it.each([
    {
      entry: 'a spend to a withdrawal',
      from: jar,
      to: 'external:withdrawals:USD',
      jarId: JAR,
      delta: -500n,
      kind: 'SPEND',
    },
    {
      entry: 'a bill paid from the jar (its hold)',
      from: jar,
      to: hold,
      jarId: JAR,
      delta: -500n,
      kind: 'SPEND',
    },
    {
      entry: 'a bill’s hold released back to the jar',
      from: hold,
      to: jar,
      jarId: JAR,
      delta: 500n,
      kind: 'REFUND',
    },
    { entry: 'an allocation into the jar', from: available, to: jar, jarId: JAR, delta: 500n, kind: 'OTHER' },
    { entry: 'a release to available', from: jar, to: available, jarId: JAR, delta: -500n, kind: 'OTHER' },
    { entry: 'a move out to another jar', from: jar, to: otherJar, jarId: JAR, delta: -500n, kind: 'OTHER' },
    {
      entry: 'a move in from another jar',
      from: otherJar,
      to: jar,
      jarId: JAR,
      delta: 500n,
      kind: 'OTHER',
    },
  ])('reads $entry as $kind', ({ from, to, jarId, delta, kind }) => {
    expect(movementsOf(entry(from, to, 500n)).find((m) => m.jarId === jarId)).toEqual({
      jarId,
      delta,
      kind,
      balanceAfter: null,
    });
  });

  it('names no jar for an entry between a wallet and a hold, or a hold and the biller', () => {
    expect(movementsOf(entry(available, hold, 500n))).toEqual([]);
    expect(movementsOf(entry(hold, 'external:biller:USD', 500n))).toEqual([]);
  });
});
