import { deleteAmqpObjects, holdRabbitLock } from '@walletgraph/platform/test/support/infra';
import { createLiveClient, type LiveClient } from '@walletgraph/sdk';
import { deposit, newKey, type Person, person } from '@walletgraph/tests/support/money';
import { startRealStack } from '@walletgraph/tests/support/stack';
import { baselineRev, startBaselineStack } from '../baseline.ts';
import { percentile, rate } from '../stats.ts';
import { abba, ms, num, registerPeople, type Scenario, sleep, stopwatch, until } from '../support.ts';
import { measureReplay, type Replay } from './subscriptions-replay.ts';

/**
 * Live updates fanned out by the gateway: USERS people, each with 20 sockets holding one
 * `balanceChanged` subscription, while deposits go through the gateway. Measures events delivered
 * per second and the latency from sending the deposit mutation to each event arriving, at 1,000
 * subscribers, on this revision (the resumable live feed) and, side by side in the same run, on
 * the fire-and-forget revision it replaced (bench/baseline.ts); once more with the payload read
 * through the supergraph; and the time to replay 1,000 missed events to one client.
 */

const USERS = 50;
const DEPOSITS = 200;
/** Deposit mutations in flight at once. */
const CONCURRENCY = 8;
const REGISTER_CONCURRENCY = 4;
const DELIVERY_TIMEOUT_MS = 120_000;
/** Measured deposits are this many minor units and more; warm-up deposits less. */
const MEASURED = 100_000;

/** Only the notice's own fields: no lookup through the supergraph. */
const LOCAL_PAYLOAD = 'subscription { balanceChanged { delta { minorUnits } } }';
/** One more field read through the supergraph (ledger balance) for every event and subscriber. */
const LOOKUP_PAYLOAD =
  'subscription { balanceChanged { delta { minorUnits } wallet { balance { total { minorUnits } } } } }';

interface Config {
  label: string;
  socketsPerUser: number;
  payload: string;
}

interface Measured {
  label: string;
  subscribers: number;
  events: number;
  seconds: number;
  cpuPercent: number;
  latencies: number[];
  depositSeconds: number;
}

const resumable: Config = {
  label: '1,000 subscribers, resumable (this revision)',
  socketsPerUser: 20,
  payload: LOCAL_PAYLOAD,
};
const fireAndForget: Config = {
  label: `1,000 subscribers, fire-and-forget (${baselineRev})`,
  socketsPerUser: 20,
  payload: LOCAL_PAYLOAD,
};
const lookedUp: Config = {
  label: '1,000 subscribers, resumable, payload read through the supergraph',
  socketsPerUser: 20,
  payload: LOOKUP_PAYLOAD,
};
/** Missed events replayed to one client, and how many times it is measured. */
const REPLAYED = 1_000;
const REPLAYS = 2;

export const scenario: Scenario = {
  name: 'subscriptions',
  title: 'Live updates: fan-out to many subscribers, resumable and fire-and-forget, and replay',
  async run() {
    await using cleanup = new AsyncDisposableStack();
    cleanup.use(await holdRabbitLock('shared'));
    // Room for each configuration's sockets while the previous one's are still closing: the caps
    // are not what is measured here.
    const overrides = { SUBSCRIPTIONS_PER_USER: '100' };
    const stack = await startRealStack(overrides);
    if (stack.exchange) cleanup.defer(() => deleteAmqpObjects(stack.exchange));
    cleanup.use(stack);
    const people = await registerPeople(stack, USERS, 'live', REGISTER_CONCURRENCY);
    const baseline = cleanup.use(await startBaselineStack({ overrides, users: USERS, label: 'live' }));
    let sequence = 0;
    const next = () => ++sequence;
    const [[r1, r2], [f1, f2]] = await abba(
      () => measure(stack.url, people, resumable, next),
      () => measure(baseline.url, baseline.people, fireAndForget, next),
    );
    const withLookup = await measure(stack.url, people, lookedUp, next);
    const replayer = await person(stack, 'replay');
    const replays: Replay[] = [];
    for (let i = 0; i < REPLAYS; i++)
      replays.push(await measureReplay(stack, replayer, REPLAYED, (i + 1) * 10_000_000));
    const runs = [r1, r2, f1, f2, withLookup];
    const best = (a: Measured, b: Measured) => (a.seconds <= b.seconds ? a : b);
    const [resumableBest, fireBest] = [best(r1, r2), best(f1, f2)];
    const columns = [resumableBest, fireBest, withLookup];
    const row = (label: string, cell: (m: Measured) => string) => [label, ...columns.map(cell)];
    const p = (m: Measured, q: number) => percentile(m.latencies, q);
    const eventsPerSecond = (m: Measured) => rate(m.events, m.seconds);
    return {
      tables: [
        {
          title: `${DEPOSITS} deposits by ${USERS} users, ${CONCURRENCY} mutations in flight; every event of every subscriber`,
          columns: ['', ...columns.map((m) => m.label)],
          rows: [
            row('events delivered', (m) => num(m.events)),
            row('seconds, first mutation to last event', (m) => num(m.seconds, 2)),
            row('events delivered / s', (m) => num(eventsPerSecond(m))),
            row('mutation → event p50 (ms)', (m) => ms(p(m, 50))),
            row('mutation → event p99 (ms)', (m) => ms(p(m, 99))),
            row('mutation → event max (ms)', (m) => ms(p(m, 100))),
            row('deposit mutations / s', (m) => num(rate(DEPOSITS, m.depositSeconds))),
            row('bench process CPU, % of a core', (m) => num(m.cpuPercent)),
          ],
        },
        {
          title:
            'Each run (resumable and fire-and-forget ran in the order resumable, fire-and-forget, fire-and-forget, resumable)',
          columns: ['run', 'seconds', 'events / s', 'p50 (ms)', 'p99 (ms)'],
          rows: runs.map((m) => [
            m.label,
            num(m.seconds, 2),
            num(eventsPerSecond(m)),
            ms(p(m, 50)),
            ms(p(m, 99)),
          ]),
        },
        {
          title: `Replay: ${num(REPLAYED)} missed balance changes to one client subscribing after its cursor`,
          columns: ['run', 'seconds to the last event', 'events / s'],
          rows: replays.map((r, i) => [String(i + 1), num(r.seconds, 2), num(rate(r.events, r.seconds))]),
        },
      ],
      ratios: [
        {
          label: 'events delivered / s, resumable ÷ fire-and-forget (1,000 subscribers)',
          value: eventsPerSecond(resumableBest) / eventsPerSecond(fireBest),
        },
        {
          label: 'mutation → event p50, resumable ÷ fire-and-forget',
          value: p(resumableBest, 50) / p(fireBest, 50),
        },
        {
          label: 'mutation → event p99, resumable ÷ fire-and-forget',
          value: p(resumableBest, 99) / p(fireBest, 99),
        },
        {
          label: 'mutation → event p50, payload through the supergraph ÷ local payload (resumable)',
          value: p(withLookup, 50) / p(resumableBest, 50),
        },
      ],
      notes: [
        `Resumable is this revision: a live notice is written to the subgraph's outbox with its change, ` +
          "relayed through RabbitMQ to identity's live feed, stored at the user's next position, then " +
          `published on Redis. Fire-and-forget is ${baselineRev} (BENCH_BASELINE_REV), the last revision ` +
          'before the feed, where the subgraph published the notice to Redis after commit: it no longer ' +
          'exists in the code, so the bench checks that revision out as a git worktree under the OS temp ' +
          'dir, installs it from the pnpm store, and runs its whole stack in a child process (bench/baseline.ts).',
        'Both stacks run on this machine at once (the idle one only polls); each measurement runs alone. ' +
          `${USERS} users are registered on each stack; each configuration opens its own sockets (one ` +
          'subscription each) and closes them afterwards.',
        'A warm-up deposit per user is delivered to every subscriber before the clock starts (graphql-ws ' +
          'does not acknowledge a subscription). Each deposit has its own amount, which is how an event ' +
          'is matched to the mutation that caused it.',
        'Latency: from sending the deposit mutation (waitMs 0) to the event arriving at the subscriber: ' +
          'transactions, outbox relay, RabbitMQ, ledger posting, (resumable: the ledger outbox, RabbitMQ ' +
          "and identity's feed), Redis, the gateway resolving the payload and the socket.",
        'Through the supergraph: `wallet { balance }` as well, read through the gateway’s Apollo Server ' +
          'with the subscriber’s token (ownership checked again), once per event and selection.',
        `Replay: one client takes a cursor from one event, disconnects; ${num(REPLAYED)} deposits are made ` +
          'and stored in its feed; the clock runs from sending `balanceChanged(after:)` to its last missed ' +
          'event. Checked: every missed deposit once, in the feed’s order.',
        'The 1,000 WebSocket clients run in the bench process, on the same machine as the services: they ' +
          'compete for the same cores. Resumable and fire-and-forget columns and ratios use the faster of two runs each.',
        'Checked in every run: each subscriber received exactly one event per deposit of its user (no ' +
          'missing, duplicate or foreign event), and every payload had the deposited amount.',
      ],
    };
  },
};

async function measure(
  url: string,
  people: readonly Person[],
  config: Config,
  next: () => number,
): Promise<Measured> {
  await using sockets = new AsyncDisposableStack();
  const failures: string[] = [];
  /** Per subscriber: minor units of each delta received, with the time it arrived. */
  const received: { owner: number; events: { minor: number; at: number }[] }[] = [];
  for (const [owner, person] of people.entries()) {
    for (let s = 0; s < config.socketsPerUser; s++) {
      const client: LiveClient = createLiveClient({
        url,
        token: person.token,
        options: { retryAttempts: 0, lazy: false },
      });
      sockets.defer(() => client.dispose());
      const mine = { owner, events: [] as { minor: number; at: number }[] };
      received.push(mine);
      client.ws.subscribe<{ balanceChanged: { delta: { minorUnits: string } } }>(
        { query: config.payload },
        {
          next: (event) => {
            const minor = event.data?.balanceChanged.delta.minorUnits;
            if (event.errors || minor === undefined) failures.push(`a bad event: ${JSON.stringify(event)}`);
            else mine.events.push({ minor: Number(minor), at: performance.now() });
          },
          error: (error) => failures.push(`subscription failed: ${JSON.stringify(error)}`),
          complete: () => {},
        },
      );
    }
  }

  // Warm-up: until every subscriber has an event, deposit again for the users with one still
  // waiting (a deposit refused because the wallet is not known everywhere yet is tried again).
  // Warm-up amounts are below MEASURED, so a late warm-up event is told apart.
  const warmUps = new Map<number, number>();
  await until(
    `every one of ${received.length} subscribers to get a warm-up event`,
    async () => {
      if (failures.length > 0) throw new Error(failures.join('\n'));
      const waiting = new Set(received.filter((r) => r.events.length === 0).map((r) => r.owner));
      if (waiting.size === 0) return true;
      await Promise.all(
        [...waiting].map((owner) => {
          const minor = next();
          warmUps.set(minor, owner);
          return depositMinor(people[owner]!, minor).catch(() => {});
        }),
      );
      await sleep(500);
      return false;
    },
    { timeoutMs: 60_000, intervalMs: 0 },
  );

  const sentAt = new Map<number, number>();
  const plan = Array.from({ length: DEPOSITS }, (_, i) => ({
    owner: i % people.length,
    minor: MEASURED + next(),
  }));
  const clock = stopwatch();
  const t0 = performance.now();
  let planned = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (planned < plan.length) {
        const { owner, minor } = plan[planned++]!;
        sentAt.set(minor, performance.now());
        await depositMinor(people[owner]!, minor);
      }
    }),
  );
  const depositSeconds = (performance.now() - t0) / 1000;
  const perUser = new Map<number, number>();
  for (const { owner } of plan) perUser.set(owner, (perUser.get(owner) ?? 0) + 1);
  const expected = received.reduce((sum, r) => sum + (perUser.get(r.owner) ?? 0), 0);
  const measured = (r: (typeof received)[number]) => r.events.filter((e) => e.minor >= MEASURED);
  const count = () => received.reduce((sum, r) => sum + measured(r).length, 0);
  await until(`${expected} events`, () => count() >= expected, {
    timeoutMs: DELIVERY_TIMEOUT_MS,
    intervalMs: 20,
  });
  const { cpuPercent } = clock.stop();
  const last = Math.max(...received.flatMap((r) => measured(r).map((e) => e.at)));

  // Correctness: exactly this user's deposits, once each, at every subscriber.
  if (failures.length > 0) throw new Error(failures.join('\n'));
  const latencies: number[] = [];
  for (const r of received) {
    const foreign = r.events.filter((e) => e.minor < MEASURED && warmUps.get(e.minor) !== r.owner);
    if (foreign.length > 0) throw new Error(`user ${r.owner}'s subscriber got another user's warm-up event`);
    const minors = measured(r)
      .map((e) => e.minor)
      .sort((a, b) => a - b);
    const want = plan
      .filter((d) => d.owner === r.owner)
      .map((d) => d.minor)
      .sort((a, b) => a - b);
    if (JSON.stringify(minors) !== JSON.stringify(want)) {
      throw new Error(`user ${r.owner}'s subscriber got ${minors.join(',')}, expected ${want.join(',')}`);
    }
    for (const e of measured(r)) latencies.push(e.at - sentAt.get(e.minor)!);
  }
  return {
    label: config.label,
    subscribers: received.length,
    events: count(),
    seconds: (last - t0) / 1000,
    cpuPercent,
    latencies,
    depositSeconds,
  };
}

/** A deposit of `minor` cents that does not wait for its settlement: the event is what is timed. */
async function depositMinor(someone: Person, minor: number): Promise<void> {
  await deposit(someone, BigInt(minor), newKey('bench-live'), 0);
}
