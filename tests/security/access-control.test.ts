import type { SubgraphName } from '@walletgraph/platform/config';
import { beforeAll, describe, expect, it } from 'vitest';
import { useRealStack } from '../support/use-stack.ts';
import {
  aliceView,
  attacker,
  gql,
  outcome,
  type Person,
  type RawResponse,
  randomUuid,
  subgraphUrl,
  type Victim,
  victim,
} from './support.ts';

/**
 * Access control (docs/architecture.md §9): Mallory, signed in with an account of her own, tries
 * every way to Alice's wallet, jar, operation and profile: through the gateway with Alice's
 * ids, and straight to each subgraph's port with federation `_entities` references. Another
 * user's object must be indistinguishable from one that does not exist.
 */

const stack = useRealStack();
let alice: Victim;
let mallory: Person & { walletId: string; jarId: string };
let aliceBefore: unknown;

beforeAll(async () => {
  [alice, mallory] = await Promise.all([victim(stack), attacker(stack)]);
  aliceBefore = await aliceView(stack, alice);
}, 120_000);

const asMallory = (query: string, variables: Record<string, unknown> = {}) =>
  gql(stack.url, query, variables, { token: mallory.accessToken });
const asAlice = (query: string, variables: Record<string, unknown> = {}) =>
  gql(stack.url, query, variables, { token: alice.accessToken });

/** What an unknown id answers on a nullable root field: null, and nothing else. */
const nothing = (field: string) => ({ status: 200, data: { [field]: null }, errors: undefined });

describe('through the gateway, Mallory with Alice’s ids', () => {
  const WALLET = /* GraphQL */ `query ($id: ID!) {
    wallet(id: $id) { id name currency status owner { id displayName } balance { total { amount } } jars { id } }
  }`;
  const JAR = /* GraphQL */ `query ($id: ID!) {
    jar(id: $id) { id name kind status wallet { id name } balance { amount } }
  }`;
  const OPERATION = /* GraphQL */ `query ($id: ID!) {
    operation(id: $id) { id kind status amount { amount currency } wallet { id } note idempotencyKey }
  }`;

  it('wallet(id): Alice sees her wallet; Mallory gets null, exactly as for an unknown uuid or a non-uuid', async () => {
    const own = await asAlice(WALLET, { id: alice.walletId });
    expect(own.errors).toBeUndefined();
    expect(own.data.wallet).toMatchObject({ id: alice.walletId, owner: { id: alice.userId } });
    for (const id of [alice.walletId, randomUuid(), 'not-a-uuid', alice.jarId, alice.userId]) {
      expect(outcome(await asMallory(WALLET, { id })), id).toEqual(nothing('wallet'));
    }
  });

  it('jar(id): Alice sees her Income jar; Mallory gets null, exactly as for an unknown id', async () => {
    const own = await asAlice(JAR, { id: alice.jarId });
    expect(own.errors).toBeUndefined();
    expect(own.data.jar).toMatchObject({ id: alice.jarId, kind: 'INCOME', wallet: { id: alice.walletId } });
    for (const id of [alice.jarId, randomUuid(), 'not-a-uuid', alice.walletId]) {
      expect(outcome(await asMallory(JAR, { id })), id).toEqual(nothing('jar'));
    }
  });

  it('operation(id): Alice sees her operation; Mallory gets null, exactly as for an unknown id', async () => {
    const own = await asAlice(OPERATION, { id: alice.operationId });
    expect(own.errors).toBeUndefined();
    expect(own.data.operation).toMatchObject({
      id: alice.operationId,
      amount: { amount: '12.50', currency: 'EUR' },
      wallet: { id: alice.walletId },
    });
    for (const id of [alice.operationId, randomUuid(), 'not-a-uuid']) {
      expect(outcome(await asMallory(OPERATION, { id })), id).toEqual(nothing('operation'));
    }
  });

  it('me is Mallory’s own, and her wallets, default wallet and jars never include Alice’s', async () => {
    const res = await asMallory(
      '{ me { id email displayName wallets { id owner { id } } defaultWallet { id jars { id } } } }',
    );
    expect(outcome(res)).toEqual({
      status: 200,
      data: {
        me: {
          id: mallory.userId,
          email: mallory.email,
          displayName: 'Mallory',
          wallets: [{ id: mallory.walletId, owner: { id: mallory.userId } }],
          defaultWallet: { id: mallory.walletId, jars: [{ id: mallory.jarId }] },
        },
      },
      errors: undefined,
    });
  });

  it('a forged user-id header beside Mallory’s own token changes nothing: me is still Mallory', async () => {
    const res = await gql(
      stack.url,
      'query ($id: ID!) { me { id } wallet(id: $id) { id } }',
      { id: alice.walletId },
      { token: mallory.accessToken, headers: forgedIdentityHeaders(alice.userId) },
    );
    expect(outcome(res)).toEqual({
      status: 200,
      data: { me: { id: mallory.userId }, wallet: null },
      errors: undefined,
    });
  });

  /**
   * Every mutation that takes an id, called with Alice's ids and again with random uuids: both
   * answers are the same exact refusal, naming the field, and Alice's data stays as it was. Each
   * input is otherwise valid, so the id is the only reason to refuse it.
   */
  const money = { amount: '1.00', currency: 'EUR' };
  const key = () => `attack-${randomUuid()}`;
  const mutations: {
    name: string;
    document: string;
    variables: (ids: { wallet: string; jar: string }) => Record<string, unknown>;
    /** The error both answers carry; `field` is its `extensions.field`, when it names one. */
    refusal: { message: string; code: string; field?: string };
  }[] = [
    {
      name: 'archiveWallet',
      refusal: { message: 'wallet not found', code: 'NOT_FOUND' },
      document: 'mutation ($id: ID!) { archiveWallet(id: $id) { id status } }',
      variables: (ids) => ({ id: ids.wallet }),
    },
    {
      name: 'archiveJar',
      refusal: { message: 'id: jar not found', code: 'NOT_FOUND', field: 'id' },
      document: 'mutation ($id: ID!) { archiveJar(id: $id) { id status } }',
      variables: (ids) => ({ id: ids.jar }),
    },
    {
      name: 'createJar',
      refusal: { message: 'input.walletId: wallet not found', code: 'NOT_FOUND', field: 'input.walletId' },
      document: 'mutation ($input: CreateJarInput!) { createJar(input: $input) { id wallet { id } } }',
      variables: (ids) => ({
        input: { walletId: ids.wallet, name: 'Mallory’s', kind: 'SAVINGS', goalTarget: money },
      }),
    },
    {
      name: 'setAllocationRules',
      refusal: { message: 'walletId: wallet not found', code: 'NOT_FOUND', field: 'walletId' },
      document:
        'mutation ($w: ID!, $rules: [AllocationRuleInput!]!) { setAllocationRules(walletId: $w, rules: $rules) { percent jar { id } } }',
      variables: (ids) => ({ w: ids.wallet, rules: [{ jarId: ids.jar, percent: 100 }] }),
    },
    {
      name: 'updateJarGoal',
      refusal: { message: 'input.jarId: jar not found', code: 'NOT_FOUND', field: 'input.jarId' },
      document:
        'mutation ($input: UpdateJarGoalInput!) { updateJarGoal(input: $input) { id goal { target { amount } } } }',
      variables: (ids) => ({ input: { jarId: ids.jar, target: money } }),
    },
    {
      name: 'deposit',
      refusal: { message: 'input.walletId: wallet not found', code: 'NOT_FOUND', field: 'input.walletId' },
      document: 'mutation ($input: DepositInput!) { deposit(input: $input) { id status failureCode } }',
      variables: (ids) => ({ input: { walletId: ids.wallet, amount: money, idempotencyKey: key() } }),
    },
    {
      name: 'withdraw',
      refusal: { message: 'input.walletId: wallet not found', code: 'NOT_FOUND', field: 'input.walletId' },
      document: 'mutation ($input: WithdrawInput!) { withdraw(input: $input) { id status failureCode } }',
      variables: (ids) => ({ input: { walletId: ids.wallet, amount: money, idempotencyKey: key() } }),
    },
    {
      name: 'transfer',
      refusal: {
        message: 'input.fromWalletId: wallet not found',
        code: 'NOT_FOUND',
        field: 'input.fromWalletId',
      },
      document: 'mutation ($input: TransferInput!) { transfer(input: $input) { id status failureCode } }',
      variables: (ids) => ({
        input: {
          fromWalletId: ids.wallet,
          toWalletId: mallory.walletId,
          amount: money,
          idempotencyKey: key(),
        },
      }),
    },
    {
      name: 'allocateToJar',
      refusal: { message: 'input.jarId: jar not found', code: 'NOT_FOUND', field: 'input.jarId' },
      document: 'mutation ($input: JarMoveInput!) { allocateToJar(input: $input) { id status failureCode } }',
      variables: (ids) => ({ input: { jarId: ids.jar, amount: money, idempotencyKey: key() } }),
    },
    {
      name: 'releaseFromJar',
      refusal: { message: 'input.jarId: jar not found', code: 'NOT_FOUND', field: 'input.jarId' },
      document:
        'mutation ($input: JarMoveInput!) { releaseFromJar(input: $input) { id status failureCode } }',
      variables: (ids) => ({ input: { jarId: ids.jar, amount: money, idempotencyKey: key() } }),
    },
    {
      name: 'spendFromJar',
      refusal: { message: 'input.jarId: jar not found', code: 'NOT_FOUND', field: 'input.jarId' },
      document: 'mutation ($input: JarMoveInput!) { spendFromJar(input: $input) { id status failureCode } }',
      variables: (ids) => ({ input: { jarId: ids.jar, amount: money, idempotencyKey: key() } }),
    },
    {
      name: 'moveBetweenJars',
      refusal: { message: 'input.fromJarId: jar not found', code: 'NOT_FOUND', field: 'input.fromJarId' },
      document:
        'mutation ($input: MoveBetweenJarsInput!) { moveBetweenJars(input: $input) { id status failureCode } }',
      variables: (ids) => ({
        input: { fromJarId: ids.jar, toJarId: mallory.jarId, amount: money, idempotencyKey: key() },
      }),
    },
  ];

  /** The exact answer to a refused mutation: no data, one error at the field, naming the input field. */
  const refused = (name: string, refusal: { message: string; code: string; field?: string }) => ({
    outcome: {
      status: 200,
      data: null,
      errors: [{ message: refusal.message, code: refusal.code, path: [name] }],
    },
    fields: [refusal.field],
  });
  const fieldsOf = (res: RawResponse) => res.errors?.map((e) => e.extensions?.field);

  it.each(mutations)('$name with Alice’s ids answers exactly what it answers for unknown ids', async (m) => {
    const withAlices = await asMallory(m.document, m.variables({ wallet: alice.walletId, jar: alice.jarId }));
    const withUnknown = await asMallory(m.document, m.variables({ wallet: randomUuid(), jar: randomUuid() }));
    const expected = refused(m.name, m.refusal);
    expect(outcome(withAlices)).toEqual(expected.outcome);
    expect(fieldsOf(withAlices)).toEqual(expected.fields);
    expect(outcome(withUnknown)).toEqual(expected.outcome);
    expect(fieldsOf(withUnknown)).toEqual(expected.fields);
  });

  it('moveBetweenJars into Alice’s jar from Mallory’s own answers as for an unknown target jar', async () => {
    const doc = mutations.find((m) => m.name === 'moveBetweenJars')!.document;
    const input = (toJarId: string) => ({
      input: { fromJarId: mallory.jarId, toJarId, amount: money, idempotencyKey: key() },
    });
    const expected = refused('moveBetweenJars', {
      message: 'input.toJarId: jar not found',
      code: 'NOT_FOUND',
      field: 'input.toJarId',
    });
    for (const toJarId of [alice.jarId, randomUuid()]) {
      const res = await asMallory(doc, input(toJarId));
      expect(outcome(res), toJarId).toEqual(expected.outcome);
      expect(fieldsOf(res), toJarId).toEqual(expected.fields);
    }
  });

  it('setAllocationRules on Mallory’s own wallet naming Alice’s jar answers as for an unknown jar', async () => {
    const doc = mutations.find((m) => m.name === 'setAllocationRules')!.document;
    const expected = refused('setAllocationRules', {
      message: 'rules[0].jarId: jar not found',
      code: 'NOT_FOUND',
      field: 'rules[0].jarId',
    });
    for (const jarId of [alice.jarId, randomUuid()]) {
      const res = await asMallory(doc, { w: mallory.walletId, rules: [{ jarId, percent: 100 }] });
      expect(outcome(res), jarId).toEqual(expected.outcome);
      expect(fieldsOf(res), jarId).toEqual(expected.fields);
    }
  });

  it('after every attempt, Alice’s wallets, jars, balances and operation are exactly as before', async () => {
    expect(await aliceView(stack, alice)).toEqual(aliceBefore);
  });

  it('after every attempt, Mallory holds no new jar, allocation rule or operation of her own either', async () => {
    const res = await asMallory(/* GraphQL */ `{
      me { wallets { id jars { id kind } allocationRules { percent } operations { edges { node { id } } } } }
    }`);
    expect(outcome(res)).toEqual({
      status: 200,
      data: {
        me: {
          wallets: [
            {
              id: mallory.walletId,
              jars: [{ id: mallory.jarId, kind: 'INCOME' }],
              allocationRules: [],
              operations: { edges: [] },
            },
          ],
        },
      },
      errors: undefined,
    });
  });
});

/** Headers a careless service might take a user id from. No walletgraph service may. */
function forgedIdentityHeaders(userId: string): Record<string, string> {
  return {
    'x-user-id': userId,
    'x-walletgraph-user': userId,
    'x-walletgraph-user-id': userId,
    'x-forwarded-user': userId,
    'x-authenticated-user': userId,
    'x-authenticated-userid': userId,
    'x-auth-user-id': userId,
    'x-viewer-id': userId,
    'x-remote-user': userId,
    'remote-user': userId,
    'x-user': JSON.stringify({ id: userId, sub: userId }),
    'x-jwt-claims': JSON.stringify({ sub: userId }),
  };
}

type Caller = 'mallory' | 'anonymous' | 'forged';

function callerOptions(caller: Caller, userId: string) {
  switch (caller) {
    case 'mallory':
      return { token: mallory.accessToken };
    case 'anonymous':
      return {};
    case 'forged':
      return { headers: forgedIdentityHeaders(userId) };
  }
}

const ENTITIES = (selection: string) => /* GraphQL */ `query ($r: [_Any!]!) {
  _entities(representations: $r) { __typename ${selection} }
}`;

/** `_entities` straight to a subgraph port. */
function entity(name: SubgraphName, typename: string, id: string, selection: string, options = {}) {
  return gql(subgraphUrl(stack, name), ENTITIES(selection), { r: [{ __typename: typename, id }] }, options);
}

/** What `_entities` answers for one reference: the entity (`__typename`, `id` and `fields`), or null without `fields`. */
function answer(typename: string, id: string, fields?: Record<string, unknown>) {
  const entity = fields ? { __typename: typename, id, ...fields } : null;
  return { status: 200, data: { _entities: [entity] }, errors: undefined };
}

interface EntityCase {
  title: string;
  subgraph: SubgraphName;
  typename: 'Wallet' | 'Jar' | 'User' | 'Operation';
  /** What is selected on the type besides `id`. */
  fields: string;
  id: (alice: Victim) => string;
  /** What Alice herself gets besides `__typename` and `id`: proves the reference is right, so a null elsewhere means refused. */
  owner: (alice: Victim) => Record<string, unknown>;
  /**
   * What each other caller gets besides `__typename` and `id`, for Alice's id and for an unknown
   * uuid alike; unset, no entity (null).
   */
  outsider?: Record<string, unknown>;
}

const entityCases: EntityCase[] = [
  {
    title: 'wallet port, Alice’s Wallet (name, currency, owner)',
    subgraph: 'wallet',
    typename: 'Wallet',
    fields: 'name currency status createdAt owner { id }',
    id: (a) => a.walletId,
    owner: (a) => ({
      name: 'Main',
      currency: 'EUR',
      status: 'ACTIVE',
      createdAt: expect.any(String),
      owner: { id: a.userId },
    }),
  },
  {
    title: 'ledger port, Alice’s Wallet (balance)',
    subgraph: 'ledger',
    typename: 'Wallet',
    fields: 'balance { total { amount currency } available { amount } }',
    id: (a) => a.walletId,
    owner: () => ({
      balance: { total: { amount: '0.00', currency: 'EUR' }, available: { amount: '0.00' } },
    }),
  },
  {
    title: 'jars port, Alice’s Wallet (jars, allocationRules): the reference resolves, its lists are empty',
    subgraph: 'jars',
    typename: 'Wallet',
    fields: 'jars { id name kind } allocationRules { percent jar { id } }',
    id: (a) => a.walletId,
    owner: (a) => ({ jars: [{ id: a.jarId, name: 'Income', kind: 'INCOME' }], allocationRules: [] }),
    outsider: { jars: [], allocationRules: [] },
  },
  {
    title: 'transactions port, Alice’s Wallet (operations): the reference resolves, its list is empty',
    subgraph: 'transactions',
    typename: 'Wallet',
    fields: 'operations { edges { node { id } } }',
    id: (a) => a.walletId,
    owner: (a) => ({ operations: { edges: [{ node: { id: a.operationId } }] } }),
    outsider: { operations: { edges: [] } },
  },
  {
    title: 'jars port, Alice’s Jar (name, kind)',
    subgraph: 'jars',
    typename: 'Jar',
    fields: 'name kind status wallet { id }',
    id: (a) => a.jarId,
    owner: (a) => ({ name: 'Income', kind: 'INCOME', status: 'ACTIVE', wallet: { id: a.walletId } }),
  },
  {
    title: 'ledger port, Alice’s Jar (balance)',
    subgraph: 'ledger',
    typename: 'Jar',
    fields: 'balance { amount currency }',
    id: (a) => a.jarId,
    owner: () => ({ balance: { amount: '0.00', currency: 'EUR' } }),
  },
  {
    title: 'transactions port, Alice’s Operation (kind, amount, wallet)',
    subgraph: 'transactions',
    typename: 'Operation',
    fields: 'kind status amount { amount currency } wallet { id } note idempotencyKey',
    id: (a) => a.operationId,
    owner: (a) => ({
      kind: 'DEPOSIT',
      status: 'COMPLETED',
      amount: { amount: '12.50', currency: 'EUR' },
      wallet: { id: a.walletId },
      note: 'salary',
      idempotencyKey: `seed-${a.operationId}`,
    }),
  },
  {
    title: 'identity port, Alice’s User (email, displayName, createdAt)',
    subgraph: 'identity',
    typename: 'User',
    fields: 'email displayName createdAt',
    id: (a) => a.userId,
    owner: (a) => ({ email: a.email, displayName: 'Alice', createdAt: expect.any(String) }),
    // Her email and creation date are hers alone: asking for them, anyone else finds no user at
    // all, exactly as for an unknown id (never a FORBIDDEN confirming whose they are).
  },
  {
    title: 'identity port, Alice’s User (public profile only)',
    subgraph: 'identity',
    typename: 'User',
    fields: 'displayName',
    id: (a) => a.userId,
    owner: () => ({ displayName: 'Alice' }),
    // Only a counterparty (someone Alice completed a transfer with) sees her name; Mallory never
    // did. Regression: any signed-in caller mapped any user id to a name here.
  },
  {
    title: 'wallet port, Alice’s User (wallets, defaultWallet): the reference resolves, empty',
    subgraph: 'wallet',
    typename: 'User',
    fields: 'wallets { id } defaultWallet { id }',
    id: (a) => a.userId,
    owner: (a) => ({ wallets: [{ id: a.walletId }], defaultWallet: { id: a.walletId } }),
    outsider: { wallets: [], defaultWallet: null },
  },
];

describe('straight to each subgraph port, bypassing the gateway: _entities references to Alice’s data', () => {
  it.each(entityCases)('$title', async (c) => {
    const selection = `... on ${c.typename} { id ${c.fields} }`;
    const id = c.id(alice);
    expect(
      outcome(await entity(c.subgraph, c.typename, id, selection, { token: alice.accessToken })),
    ).toEqual(answer(c.typename, id, c.owner(alice)));
    for (const caller of ['mallory', 'anonymous', 'forged'] as const) {
      const options = callerOptions(caller, alice.userId);
      const got = outcome(await entity(c.subgraph, c.typename, id, selection, options));
      expect(got, `${caller}, Alice's id`).toEqual(answer(c.typename, id, c.outsider));
      const unknown = randomUuid();
      const other = outcome(await entity(c.subgraph, c.typename, unknown, selection, options));
      expect(other, `${caller}, unknown id`).toEqual(answer(c.typename, unknown, c.outsider));
    }
  });

  it('root queries on each port with forged user-id headers and no token answer as for anyone anonymous', async () => {
    const headers = forgedIdentityHeaders(alice.userId);
    const roots: [SubgraphName | 'gateway', string, Record<string, unknown>, unknown][] = [
      ['identity', '{ me { id email } }', {}, { me: null }],
      [
        'wallet',
        'query ($id: ID!) { wallet(id: $id) { id name } }',
        { id: alice.walletId },
        { wallet: null },
      ],
      ['jars', 'query ($id: ID!) { jar(id: $id) { id name } }', { id: alice.jarId }, { jar: null }],
      [
        'transactions',
        'query ($id: ID!) { operation(id: $id) { id } }',
        { id: alice.operationId },
        { operation: null },
      ],
      [
        'gateway',
        'query ($w: ID!, $j: ID!, $o: ID!) { me { id } wallet(id: $w) { id } jar(id: $j) { id } operation(id: $o) { id } }',
        { w: alice.walletId, j: alice.jarId, o: alice.operationId },
        { me: null, wallet: null, jar: null, operation: null },
      ],
    ];
    for (const [name, query, variables, data] of roots) {
      const url = name === 'gateway' ? stack.url : subgraphUrl(stack, name);
      const res: RawResponse = await gql(url, query, variables, { headers });
      expect(outcome(res), name).toEqual({ status: 200, data, errors: undefined });
    }
  });

  it('the gateway serves no _entities or _service field: references cannot be forged through it', async () => {
    for (const query of [ENTITIES('... on Wallet { id name }'), '{ _service { sdl } }']) {
      const res = await gql(
        stack.url,
        query,
        { r: [{ __typename: 'Wallet', id: alice.walletId }] },
        { token: mallory.accessToken },
      );
      expect(res.status).toBe(400);
      expect(res.data).toBeUndefined();
      expect(new Set(res.errors?.map((e) => e.extensions?.code))).toEqual(
        new Set(['GRAPHQL_VALIDATION_FAILED']),
      );
    }
  });
});
