import type { Person } from '@walletgraph/tests/support/money';

/**
 * The read scenario's two queries and what a right answer to each is, for a given user: a cheap
 * check every request's answer passes (the asker's own wallet or email: no answer mixed up
 * between users), and a full one each target's answers pass once before the load.
 */

export interface ReadQuery {
  label: string;
  /** The POST body, serialized once. */
  body: string;
  /** Why the data is not `people[user]`'s right answer, or undefined. */
  check(data: unknown, user: number): string | undefined;
  /** The same, checking every field. */
  checkFully(data: unknown, user: number): string | undefined;
}

/** Five subgraphs: identity (me) → wallet (defaultWallet) → ledger (balances), jars, transactions. */
export const overviewText = `query {
  me {
    defaultWallet {
      id
      balance { total { amount } available { amount } allocated { amount } }
      jars { id name balance { amount } }
      operations(first: 5) { edges { node { id kind status amount { amount } } } }
    }
  }
}`;

/** One subgraph: identity alone. */
export const meText = 'query { me { id email displayName } }';

interface Overview {
  me: {
    defaultWallet: {
      id: string;
      balance: Record<'total' | 'available' | 'allocated', { amount: string }>;
      jars: { id: string; name: string; balance: { amount: string } }[];
      operations: {
        edges: { node: { id: string; kind: string; status: string; amount: { amount: string } } }[];
      };
    } | null;
  } | null;
}

interface Me {
  me: { id: string; email: string; displayName: string } | null;
}

/** A decimal amount in minor units (two decimals), or NaN. */
const minor = (amount: string | undefined) =>
  amount === undefined ? Number.NaN : Math.round(Number(amount) * 100);

export function overviewQuery(
  people: readonly Person[],
  expected: { totalMinor: number; operations: number },
): ReadQuery {
  const check = (data: unknown, user: number) => {
    const wallet = (data as Overview).me?.defaultWallet;
    if (!wallet) return 'no default wallet';
    if (wallet.id !== people[user]!.walletId) return `wallet ${wallet.id} is not the asker's`;
    if (wallet.jars.length === 0) return 'no jars';
    if (wallet.operations.edges.length !== expected.operations) {
      return `${wallet.operations.edges.length} operations, not ${expected.operations}`;
    }
    return undefined;
  };
  return {
    label: 'wallet overview',
    body: JSON.stringify({ query: overviewText }),
    check,
    checkFully(data, user) {
      const wrong = check(data, user);
      if (wrong) return wrong;
      const wallet = (data as Overview).me!.defaultWallet!;
      const { total, available, allocated } = wallet.balance;
      if (minor(total.amount) !== expected.totalMinor)
        return `total ${total.amount}, not ${expected.totalMinor / 100}`;
      if (minor(available.amount) + minor(allocated.amount) !== minor(total.amount)) {
        return `available ${available.amount} + allocated ${allocated.amount} ≠ total ${total.amount}`;
      }
      if (!wallet.jars.some((jar) => /income/i.test(jar.name))) return 'no Income jar';
      const jarMoney = wallet.jars.reduce((sum, jar) => sum + minor(jar.balance.amount), 0);
      if (jarMoney !== minor(allocated.amount))
        return `jars hold ${jarMoney / 100}, allocated is ${allocated.amount}`;
      const unsettled = wallet.operations.edges.filter((e) => e.node.status !== 'COMPLETED' || !e.node.id);
      if (unsettled.length > 0) return `${unsettled.length} operations not COMPLETED`;
      if (wallet.operations.edges.some((e) => !(minor(e.node.amount.amount) > 0) || !e.node.kind)) {
        return 'an operation without kind or positive amount';
      }
      return undefined;
    },
  };
}

export function meQuery(people: readonly Person[]): ReadQuery {
  const check = (data: unknown, user: number) => {
    const me = (data as Me).me;
    if (!me) return 'me is null';
    return me.email === people[user]!.email ? undefined : `${me.email} is not the asker`;
  };
  return {
    label: 'me',
    body: JSON.stringify({ query: meText }),
    check,
    checkFully(data, user) {
      const me = (data as Me).me;
      if (!me?.id) return 'me without id';
      if (me.displayName !== people[user]!.name) return `display name ${me.displayName}`;
      return check(data, user);
    },
  };
}
