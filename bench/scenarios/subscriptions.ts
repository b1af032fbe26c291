import { deleteAmqpObjects, holdRabbitLock } from '@walletgraph/platform/test/support/infra';
import { createLiveClient, type LiveClient } from '@walletgraph/sdk';
import { deposit, newKey, type Person } from '@walletgraph/tests/support/money';
import { startRealStack, type TestStack } from '@walletgraph/tests/support/stack';
import { percentile, rate } from '../stats.ts';
import { abba, ms, num, registerPeople, type Scenario, sleep, stopwatch, until } from '../support.ts';

/**
 * Live updates fanned out by the gateway: USERS people, each with several sockets holding one
 * `balanceChanged` subscription, while deposits go through the gateway. Measures events delivered
 * per second and the latency from sending the deposit mutation to each event arriving, with 100
 * and with 1,000 subscribers on the same users and the same deposits, and once more with 1,000
 * subscribers whose payload is read through the supergraph for every event.
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

const small: Config = { label: '100 subscribers (2 per user)', socketsPerUser: 2, payload: LOCAL_PAYLOAD };
const large: Config = {
  label: '1,000 subscribers (20 per user)',
  socketsPerUser: 20,
  payload: LOCAL_PAYLOAD,
};
const lookedUp: Config = {
  label: '1,000 subscribers, payload read through the supergraph',
  socketsPerUser: 20,
  payload: LOOKUP_PAYLOAD,
};

export const scenario: Scenario = {
  name: 'subscriptions',
  title: 'Live updates: fan-out to many subscribers through the gateway',
  async run() {
    await using cleanup = new AsyncDisposableStack();
    cleanup.use(await holdRabbitLock('shared'));
    // Room for each configuration's sockets while the previous one's are still closing: the caps
    // are not what is measured here.
    const stack = await startRealStack({ SUBSCRIPTIONS_PER_USER: '100' });
    if (stack.exchange) cleanup.defer(() => deleteAmqpObjects(stack.exchange));
    cleanup.use(stack);
    const people = await registerPeople(stack, USERS, 'live', REGISTER_CONCURRENCY);
    let sequence = 0;
    const next = () => ++sequence;
    const [[s1, s2], [l1, l2]] = await abba(
      () => measure(stack, people, small, next),
      () => measure(stack, people, large, next),
    );
    const withLookup = await measure(stack, people, lookedUp, next);
    const runs = [s1, s2, l1, l2, withLookup];
    const best = (a: Measured, b: Measured) => (a.seconds <= b.seconds ? a : b);
    const [smallBest, largeBest] = [best(s1, s2), best(l1, l2)];
    const columns = [smallBest, largeBest, withLookup];
    const row = (label: string, cell: (m: Measured) => string) => [label, ...columns.map(cell)];
    const p = (m: Measured, q: number) => percentile(m.latencies, q);
    return {
      tables: [
        {
          title: `${DEPOSITS} deposits by ${USERS} users, ${CONCURRENCY} mutations in flight; every event of every subscriber`,
          columns: ['', ...columns.map((m) => m.label)],
          rows: [
            row('events delivered', (m) => num(m.events)),
            row('seconds, first mutation to last event', (m) => num(m.seconds, 2)),
            row('events delivered / s', (m) => num(rate(m.events, m.seconds))),
            row('mutation → event p50 (ms)', (m) => ms(p(m, 50))),
            row('mutation → event p99 (ms)', (m) => ms(p(m, 99))),
            row('mutation → event max (ms)', (m) => ms(p(m, 100))),
            row('deposit mutations / s', (m) => num(rate(DEPOSITS, m.depositSeconds))),
            row('bench process CPU, % of a core', (m) => num(m.cpuPercent)),
          ],
        },
        {
          title: 'Each run (the local-payload configurations ran in the order 100, 1,000, 1,000, 100)',
          columns: ['run', 'seconds', 'events / s', 'p50 (ms)', 'p99 (ms)'],
          rows: runs.map((m) => [
            m.label,
            num(m.seconds, 2),
            num(rate(m.events, m.seconds)),
            ms(p(m, 50)),
            ms(p(m, 99)),
          ]),
        },
      ],
      ratios: [
        {
          label: 'events delivered / s, 1,000 ÷ 100 subscribers',
          value: rate(largeBest.events, largeBest.seconds) / rate(smallBest.events, smallBest.seconds),
        },
        {
          label: 'mutation → event p50, 1,000 ÷ 100 subscribers',
          value: p(largeBest, 50) / p(smallBest, 50),
        },
        {
          label: 'mutation → event p99, 1,000 ÷ 100 subscribers',
          value: p(largeBest, 99) / p(smallBest, 99),
        },
        {
          label: 'mutation → event p50, payload through the supergraph ÷ local payload (1,000 subscribers)',
          value: p(withLookup, 50) / p(largeBest, 50),
        },
      ],
      notes: [
        `${USERS} users registered once; each configuration opens its own sockets (one subscription each) ` +
          'and closes them afterwards. Subscribers of a user share that user’s Redis channel, so the gateway ' +
          'subscribes to Redis once per user and fans out in process.',
        'A warm-up deposit per user is delivered to every subscriber before the clock starts (graphql-ws ' +
          'does not acknowledge a subscription). Each deposit has its own amount, which is how an event ' +
          'is matched to the mutation that caused it.',
        'Latency: from sending the deposit mutation (waitMs 0) to the event arriving at the subscriber, so ' +
          'it includes the whole chain: transactions, outbox relay, RabbitMQ, ledger posting, Redis publish, ' +
          'the gateway resolving the payload and the socket.',
        'Local payload: `delta` only, made from the notice. Through the supergraph: `wallet { balance }` as ' +
          'well, read through the gateway’s Apollo Server with the subscriber’s token (ownership checked ' +
          'again): once per event and selection, shared by the subscriptions of one user that ask the same.',
        'The 1,000 WebSocket clients run in the bench process, on the same machine as the six services: ' +
          'they compete for the same cores.',
        'The 100- and 1,000-subscriber columns and ratios use the faster of two runs each (order 100, ' +
          '1,000, 1,000, 100); the supergraph column ran once.',
        'Checked in every run: each subscriber received exactly one event per deposit of its user (no ' +
          'missing, duplicate or foreign event), and every payload had the deposited amount.',
      ],
    };
  },
};

async function measure(
  stack: TestStack,
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
        url: stack.url,
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
