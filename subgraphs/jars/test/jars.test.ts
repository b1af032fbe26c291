import { type EventData, ledgerAccount, uuidv7 } from '@walletgraph/events';
import { waitFor } from '@walletgraph/platform/test/support/infra';
import { describe, expect, it } from 'vitest';
import { allocationRules, jars } from '../db/schema.ts';
import { createJarsHarness, JAR_FIELDS, onlyError, type TestWallet } from './harness.ts';
import { useJarsHarness } from './use-harness.ts';

const h = useJarsHarness();

const CREATE_JAR = /* GraphQL */ `
  mutation CreateJar($input: CreateJarInput!) { createJar(input: $input) { ${JAR_FIELDS} } }
`;
const ARCHIVE_JAR = /* GraphQL */ `mutation ArchiveJar($id: ID!) { archiveJar(id: $id) { id status } }`;
const SET_RULES = /* GraphQL */ `
  mutation SetRules($walletId: ID!, $rules: [AllocationRuleInput!]!) {
    setAllocationRules(walletId: $walletId, rules: $rules) { jar { id name } percent fixed { amount currency } }
  }
`;
const UPDATE_GOAL = /* GraphQL */ `
  mutation UpdateGoal($input: UpdateJarGoalInput!) { updateJarGoal(input: $input) { id goal { achievedAt target { amount } } } }
`;
const WALLET_JARS = /* GraphQL */ `
  query WalletJars($id: ID!) {
    _entities(representations: [{ __typename: "Wallet", id: $id }]) {
      ... on Wallet { jars { id name kind } allocationRules { jar { id } percent fixed { amount } } }
    }
  }
`;

async function savingsJar(w: TestWallet, target = '100.00'): Promise<string> {
  const result = await h.execute(
    CREATE_JAR,
    {
      input: {
        walletId: w.walletId,
        name: 'Holiday',
        kind: 'SAVINGS',
        goalTarget: { amount: target, currency: 'USD' },
      },
    },
    w.token,
  );
  expect(result.errors).toEqual([]);
  return result.data.createJar.id;
}

async function expenseJar(w: TestWallet, extra: Record<string, unknown> = {}): Promise<string> {
  const result = await h.execute(
    CREATE_JAR,
    {
      input: {
        walletId: w.walletId,
        name: 'Groceries',
        kind: 'EXPENSE',
        budgetLimit: { amount: '100.00', currency: 'USD' },
        ...extra,
      },
    },
    w.token,
  );
  expect(result.errors).toEqual([]);
  return result.data.createJar.id;
}

const available = (w: TestWallet) => `wallet:${w.walletId}:available`;

describe('jars', () => {
  it('gives every wallet exactly one Income jar, also when wallet.opened arrives twice', async () => {
    const w = await h.wallet();
    const walletState = async () => ({
      jars: await h.count(jars),
      announced: (await h.outboxData<EventData<'jars.jar_created.v1'>>('jars.jar_created.v1')).filter(
        (e) => e.walletId === w.walletId,
      ),
      listed: (await h.execute(WALLET_JARS, { id: w.walletId }, w.token)).data._entities[0].jars,
    });
    const afterFirst = await walletState();
    expect(afterFirst.announced).toEqual([expect.objectContaining({ kind: 'INCOME', name: 'Income' })]);
    expect(afterFirst.listed).toEqual([
      { id: afterFirst.announced[0]!.jarId, name: 'Income', kind: 'INCOME' },
    ]);

    // A second envelope, not a redelivery of the first: the inbox lets it through, so only the
    // handler's own idempotency stands between it and a second Income jar.
    await h.deliver(h.walletOpened(w));
    expect(await walletState()).toEqual(afterFirst);
  });

  it('creates a savings jar, announces it, and shows it in the wallet', async () => {
    const w = await h.wallet();
    const id = await savingsJar(w, '250.00');
    const created = await h.outboxData<{ jarId: string; kind: string; currency: string }>(
      'jars.jar_created.v1',
    );
    expect(created.find((e) => e.jarId === id)).toMatchObject({ kind: 'SAVINGS', currency: 'USD' });
    const jar = await h.execute(`query { jar(id: "${id}") { ${JAR_FIELDS} } }`, {}, w.token);
    expect(jar.data.jar).toMatchObject({
      name: 'Holiday',
      kind: 'SAVINGS',
      status: 'ACTIVE',
      goal: { target: { amount: '250.00', currency: 'USD' }, progressPercent: 0, achievedAt: null },
      budget: null,
    });
  });

  it('answers NOT_FOUND for another user’s wallet as for an unknown one, and creates nothing', async () => {
    const alice = await h.wallet();
    const mallory = await h.wallet();
    const before = await h.count(jars);
    const input = (walletId: string) => ({
      input: { walletId, name: 'Mine now', kind: 'SAVINGS', goalTarget: { amount: '1', currency: 'USD' } },
    });
    const foreign = onlyError(await h.execute(CREATE_JAR, input(alice.walletId), mallory.token));
    const unknown = onlyError(
      await h.execute(CREATE_JAR, input('0196f0a0-0000-7000-8000-00000000dead'), mallory.token),
    );
    expect(foreign).toEqual({
      message: 'input.walletId: wallet not found',
      code: 'NOT_FOUND',
      field: 'input.walletId',
    });
    expect(unknown).toEqual(foreign);
    expect(await h.count(jars)).toBe(before);
  });

  it('computes goal progress from the balance the ledger reports for the jar', async () => {
    const w = await h.wallet();
    const id = await savingsJar(w, '200.00');
    const result = await h.execute(
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Jar { goal { progressPercent } } } }`,
      { r: [{ __typename: 'Jar', id, balance: { minorUnits: '5000' } }] },
      w.token,
    );
    expect(result.data._entities).toEqual([{ goal: { progressPercent: 25 } }]);
  });

  it('announces a goal exactly once when the balance first reaches it, and again after the goal changes', async () => {
    const w = await h.wallet();
    const id = await savingsJar(w, '100.00');
    const jar = `jar:${id}`;
    const achieved = async () =>
      (await h.outboxData<{ jarId: string; target: string }>('jars.goal_achieved.v1')).filter(
        (e) => e.jarId === id,
      );

    const toTarget = h.posted(available(w), jar, 10_000n);
    await h.deliver(h.posted(available(w), jar, 6_000n), toTarget);
    expect(await achieved()).toEqual([expect.objectContaining({ jarId: id, target: '10000' })]);
    // Redelivered, dipping below and back: nothing more.
    await h.deliver(toTarget, h.posted(jar, available(w), 9_000n), h.posted(available(w), jar, 9_000n));
    expect(await achieved()).toHaveLength(1);

    const update = await h.execute(
      UPDATE_GOAL,
      { input: { jarId: id, target: { amount: '200.00', currency: 'USD' } } },
      w.token,
    );
    expect(update.data.updateJarGoal).toEqual({
      id,
      goal: { achievedAt: null, target: { amount: '200.00' } },
    });
    await h.deliver(h.posted(available(w), jar, 4_000n));
    expect((await achieved()).map((e) => e.target)).toEqual(['10000', '20000']);
  });

  it('decides a goal from the ledger’s balance after each entry, so entries seen out of order never fake it', async () => {
    const w = await h.wallet();
    const id = await savingsJar(w, '1.50');
    const jar = `jar:${id}`;
    // The ledger: +100 (100), -100 (0), +100 (100); the goal of 150 is never reached. Delivered 1, 3, 2.
    const first = h.posted(available(w), jar, 100n, { balancesAfter: [null, 100n] });
    const out = h.posted(jar, available(w), 100n, { balancesAfter: [0n, null] });
    const back = h.posted(available(w), jar, 100n, { balancesAfter: [null, 100n] });
    await h.deliver(first, back, out);
    expect(
      (await h.outboxData<{ jarId: string }>('jars.goal_achieved.v1')).filter((e) => e.jarId === id),
    ).toEqual([]);
  });

  it('announces each budget threshold once per period as spending crosses it', async () => {
    const w = await h.wallet();
    const id = await expenseJar(w);
    const jar = `jar:${id}`;
    const spend = (minor: bigint) => h.posted(jar, 'external:withdrawals:USD', minor);
    const alerts = async () =>
      (
        await h.outboxData<{ jarId: string; thresholdPercent: number; spent: string }>(
          'jars.budget_threshold_reached.v1',
        )
      )
        .filter((e) => e.jarId === id)
        .map((e) => [e.thresholdPercent, e.spent]);

    await h.deliver(h.posted(available(w), jar, 50_000n), spend(7_000n));
    expect(await alerts()).toEqual([]);
    const crossing = spend(1_500n);
    await h.deliver(crossing);
    expect(await alerts()).toEqual([[80, '8500']]);
    await h.deliver(crossing, spend(1_500n), spend(5_000n));
    expect(await alerts()).toEqual([
      [80, '8500'],
      [100, '10000'],
    ]);
    const view = await h.execute(
      `query { jar(id: "${id}") { budget { spent { amount } remaining { amount } thresholds } } }`,
      {},
      w.token,
    );
    expect(view.data.jar.budget).toEqual({
      spent: { amount: '150.00' },
      remaining: { amount: '0.00' },
      thresholds: [80, 100],
    });
  });

  it('counts a bill paid from the jar against its budget, and takes it back when the hold is released', async () => {
    const w = await h.wallet();
    const id = await expenseJar(w);
    const jar = `jar:${id}`;
    const [paid, refused] = [ledgerAccount.hold(uuidv7()), ledgerAccount.hold(uuidv7())];
    const spent = async () =>
      (await h.execute(`query { jar(id: "${id}") { budget { spent { amount } } } }`, {}, w.token)).data.jar
        .budget.spent.amount;

    await h.deliver(h.posted(available(w), jar, 50_000n), h.posted(jar, paid, 3_000n));
    await h.deliver(h.posted(jar, refused, 5_000n));
    expect(
      (
        await h.outboxData<{ jarId: string; thresholdPercent: number; spent: string }>(
          'jars.budget_threshold_reached.v1',
        )
      )
        .filter((e) => e.jarId === id)
        .map((e) => [e.thresholdPercent, e.spent]),
    ).toEqual([[80, '8000']]);
    expect(await spent()).toBe('80.00');

    // The biller refused the second bill: its hold comes back to the jar; the paid one is captured.
    await h.deliver(h.posted(refused, jar, 5_000n), h.posted(paid, 'external:biller:USD', 3_000n));
    expect(await spent()).toBe('30.00');
  });

  it('creates an expense jar that blocks overspending and announces its budget in jar_created', async () => {
    const w = await h.wallet();
    const id = await expenseJar(w, { budgetPeriod: 'WEEKLY', blockOverspend: true });
    const created = await h.outboxData<{ jarId: string; budget: unknown }>('jars.jar_created.v1');
    expect(created.find((e) => e.jarId === id)).toMatchObject({
      kind: 'EXPENSE',
      currency: 'USD',
      budget: { limit: '10000', period: 'WEEKLY', blocksOverspend: true },
    });
    const view = await h.execute(`query { jar(id: "${id}") { budget { blocksOverspend } } }`, {}, w.token);
    expect(view.data.jar.budget).toEqual({ blocksOverspend: true });
  });

  it('announces an expense jar that only alerts with blocksOverspend false, and other jars with budget null', async () => {
    const w = await h.wallet();
    const expense = await expenseJar(w);
    await savingsJar(w);
    const created = await h.outboxData<{ jarId: string; walletId: string; kind: string; budget: unknown }>(
      'jars.jar_created.v1',
    );
    expect(
      created.filter((e) => e.walletId === w.walletId).map(({ kind, budget }) => ({ kind, budget })),
    ).toEqual([
      { kind: 'INCOME', budget: null },
      { kind: 'EXPENSE', budget: { limit: '10000', period: 'MONTHLY', blocksOverspend: false } },
      { kind: 'SAVINGS', budget: null },
    ]);
    const view = await h.execute(
      `query { jar(id: "${expense}") { budget { blocksOverspend } } }`,
      {},
      w.token,
    );
    expect(view.data.jar.budget).toEqual({ blocksOverspend: false });
  });

  it('refuses blockOverspend on a savings jar: BAD_USER_INPUT on input.blockOverspend, and creates nothing', async () => {
    const w = await h.wallet();
    const before = await h.count(jars);
    const error = onlyError(
      await h.execute(
        CREATE_JAR,
        {
          input: {
            walletId: w.walletId,
            name: 'Holiday',
            kind: 'SAVINGS',
            goalTarget: { amount: '100.00', currency: 'USD' },
            blockOverspend: true,
          },
        },
        w.token,
      ),
    );
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.blockOverspend' });
    expect(await h.count(jars)).toBe(before);
  });

  it('splits a completed deposit by the wallet’s rules into one ledger command, remainder left available', async () => {
    const w = await h.wallet();
    const savings = await savingsJar(w);
    const groceries = await expenseJar(w);
    const set = await h.execute(
      SET_RULES,
      {
        walletId: w.walletId,
        rules: [
          { jarId: savings, percent: 33 },
          { jarId: groceries, fixed: { amount: '10.00', currency: 'USD' } },
        ],
      },
      w.token,
    );
    expect(set.errors).toEqual([]);
    expect(set.data.setAllocationRules).toEqual([
      { jar: { id: savings, name: 'Holiday' }, percent: 33, fixed: null },
      {
        jar: { id: groceries, name: 'Groceries' },
        percent: null,
        fixed: { amount: '10.00', currency: 'USD' },
      },
    ]);
    const settled = h.depositSettled(w, 10_001n);
    await h.deliver(settled);
    const command = (await h.ledgerCommands()).find(
      (c) => c.idempotencyKey === `alloc:${settled.data.operationId}`,
    );
    expect(command?.postings).toEqual([
      { account: available(w), amount: '-4300', currency: 'USD' },
      { account: `jar:${savings}`, amount: '3300', currency: 'USD' },
      { account: `jar:${groceries}`, amount: '1000', currency: 'USD' },
    ]);
  });

  it('refuses percents over 100 and another user’s jar, and keeps the old rules', async () => {
    const w = await h.wallet();
    const other = await h.wallet();
    const mine = await savingsJar(w);
    const theirs = await savingsJar(other);
    await h.execute(SET_RULES, { walletId: w.walletId, rules: [{ jarId: mine, percent: 10 }] }, w.token);
    const over = onlyError(
      await h.execute(SET_RULES, { walletId: w.walletId, rules: [{ jarId: mine, percent: 101 }] }, w.token),
    );
    expect(over).toMatchObject({ code: 'BAD_USER_INPUT', field: 'rules[0].percent' });
    const foreign = onlyError(
      await h.execute(SET_RULES, { walletId: w.walletId, rules: [{ jarId: theirs, percent: 10 }] }, w.token),
    );
    expect(foreign).toMatchObject({ code: 'NOT_FOUND', field: 'rules[0].jarId' });
    const view = await h.execute(WALLET_JARS, { id: w.walletId }, w.token);
    expect(view.data._entities[0].allocationRules).toEqual([{ jar: { id: mine }, percent: 10, fixed: null }]);
  });

  it('archives a jar once, announcing it and dropping its rule; the Income jar stays', async () => {
    const w = await h.wallet();
    const id = await savingsJar(w);
    await h.execute(SET_RULES, { walletId: w.walletId, rules: [{ jarId: id, percent: 10 }] }, w.token);
    const rulesBefore = await h.count(allocationRules);
    const first = await h.execute(ARCHIVE_JAR, { id }, w.token);
    const again = await h.execute(ARCHIVE_JAR, { id }, w.token);
    expect([first.data.archiveJar, again.data.archiveJar]).toEqual([
      { id, status: 'ARCHIVED' },
      { id, status: 'ARCHIVED' },
    ]);
    expect(
      (await h.outboxData<{ jarId: string }>('jars.jar_archived.v1')).filter((e) => e.jarId === id),
    ).toHaveLength(1);
    expect(await h.count(allocationRules)).toBe(rulesBefore - 1);
    const list = await h.execute(WALLET_JARS, { id: w.walletId }, w.token);
    const income = list.data._entities[0].jars.find((j: { kind: string }) => j.kind === 'INCOME');
    expect(onlyError(await h.execute(ARCHIVE_JAR, { id: income.id }, w.token))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'id',
    });
  });
});

describe('live updates', () => {
  it('tells the owner when a jar changes, reaches its goal or crosses a budget threshold', async () => {
    const w = await h.wallet();
    const savings = await savingsJar(w, '10.00');
    const groceries = await expenseJar(w);
    await h.deliver(
      h.posted(available(w), `jar:${savings}`, 1_000n),
      h.posted(available(w), `jar:${groceries}`, 9_000n),
      h.posted(`jar:${groceries}`, 'external:withdrawals:USD', 8_000n),
    );
    const mine = () => h.published.filter((p) => p.userId === w.userId);
    await waitFor('the goal and budget notices', async () =>
      mine().some((p) => p.topic === 'goalAchieved') && mine().some((p) => p.topic === 'budgetAlert')
        ? true
        : undefined,
    );
    expect(mine().filter((p) => p.topic === 'goalAchieved')).toEqual([
      { userId: w.userId, topic: 'goalAchieved', notice: { jarId: savings, achievedAt: expect.any(String) } },
    ]);
    expect(mine().filter((p) => p.topic === 'budgetAlert')).toEqual([
      {
        userId: w.userId,
        topic: 'budgetAlert',
        notice: { jarId: groceries, thresholdPercent: 80, spent: '8000', limit: '10000', currency: 'USD' },
      },
    ]);
    const updated = new Set(mine().flatMap((p) => (p.topic === 'jarUpdated' ? [p.notice.jarId] : [])));
    // The Income jar's creation, the two new jars' creation and their balance changes.
    expect(updated.size).toBe(3);
    expect([...updated]).toEqual(expect.arrayContaining([savings, groceries]));
    expect(
      h.published.filter(
        (p) => p.userId !== w.userId && 'jarId' in p.notice && [savings, groceries].includes(p.notice.jarId),
      ),
    ).toEqual([]);
  });
});

describe('period processing', () => {
  it('resets Income jars at the month end once, and returns an expense jar’s leftover after the grace period', async () => {
    const p = await createJarsHarness('2026-10-10T12:00:00Z');
    try {
      const w = await p.wallet();
      const list = await p.execute(WALLET_JARS, { id: w.walletId }, w.token);
      const incomeId = list.data._entities[0].jars[0].id;
      const created = await p.execute(
        CREATE_JAR,
        {
          input: {
            walletId: w.walletId,
            name: 'Food',
            kind: 'EXPENSE',
            budgetLimit: { amount: '300', currency: 'USD' },
          },
        },
        w.token,
      );
      const food = `jar:${created.data.createJar.id}`;
      // October: 200.00 into the food jar, 50.00 spent; 150.00 left at the month end.
      p.clock.set('2026-10-20T00:00:00Z');
      await p.deliver(p.posted(available(w), food, 20_000n));
      await p.deliver(p.posted(food, 'external:withdrawals:USD', 5_000n));

      p.clock.set('2026-11-01T00:05:00Z');
      expect(await p.service.services.periods.runOnce()).toEqual({ leader: true, decided: 1 });
      expect(await p.service.services.periods.runOnce()).toEqual({ leader: true, decided: 0 });
      expect(await p.sweeps()).toEqual([
        {
          idempotencyKey: `jar-period:${incomeId}:2026-11-01T00:00:00.000Z:income_reset`,
          operationId: null,
          description: 'Income jar reset at period end',
          from: `jar:${incomeId}`,
          to: available(w),
          asOf: '2026-11-01T00:00:00.000Z',
        },
      ]);

      // During the grace period 20.00 more is spent against October's budget.
      p.clock.set('2026-11-02T00:00:00Z');
      await p.deliver(p.posted(food, 'external:withdrawals:USD', 2_000n));
      p.clock.set('2026-11-04T00:00:01Z');
      expect(await p.service.services.periods.runOnce()).toEqual({ leader: true, decided: 1 });
      expect(await p.service.services.periods.runOnce()).toEqual({ leader: true, decided: 0 });
      // What the jar held at the period's end and has not left since is the ledger's to work out
      // (the ledger's sweep tests cover the arithmetic): 150.00 less the 20.00 spent late.
      const [, leftover] = await p.sweeps();
      expect(leftover).toEqual({
        idempotencyKey: `jar-period:${created.data.createJar.id}:2026-11-01T00:00:00.000Z:leftover_return`,
        operationId: null,
        description: 'Budget leftover returned after the grace period',
        from: food,
        to: available(w),
        asOf: '2026-11-01T00:00:00.000Z',
      });
    } finally {
      await p[Symbol.asyncDispose]();
    }
  });
});
