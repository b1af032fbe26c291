import { randomBytes } from 'node:crypto';
import { deleteAmqpObjects, holdRabbitLock } from '@walletgraph/platform/test/support/infra';
import { createClient, MeDocument, RegisterDocument } from '@walletgraph/sdk';
import { startEmbeddedStack, startRealStack, type TestStack } from '@walletgraph/tests/support/stack';
import { type Summary, summarize } from '../stats.ts';
import { ms, num, type Scenario, sleep } from '../support.ts';

/**
 * The vertical slice through the gateway: register, then poll `me` until the default wallet,
 * its Income jar and its ledger balance are all there. Provisioning latency (register response
 * → complete `me`) is kept apart from the register call, whose scrypt hash (OWASP parameters)
 * dominates it by design.
 */

const USERS = 40;
const CONCURRENCY = 4;
const POLL_MS = 10;
const PROVISION_TIMEOUT_MS = 30_000;
/** `me` calls timed one after another once the registrations are done. */
const IDLE_ME_CALLS = 20;
const password = 'correct horse battery staple 42';

interface Sample {
  registerMs: number;
  provisionMs: number;
  /** The `me` call that answered complete. */
  lastMeMs: number;
  polls: number;
  token: string;
}

interface Mode {
  label: string;
  /** Real mode uses RabbitMQ: it holds the tests' shared lock, so no broker-restart test runs meanwhile. */
  rabbit: boolean;
  start(): Promise<TestStack>;
}

interface Measured {
  label: string;
  startupSeconds: number;
  register: Summary;
  provision: Summary;
  lastMe: Summary;
  idleMe: Summary;
  polls: Summary;
}

const modes: Mode[] = [
  { label: 'real (7 processes, Postgres, RabbitMQ)', rabbit: true, start: startRealStack },
  { label: 'embedded (1 process, PGlite, in-process bus)', rabbit: false, start: startEmbeddedStack },
];

export const scenario: Scenario = {
  name: 'registration',
  title: 'Registration to a provisioned wallet, through the gateway',
  async run() {
    const results: Measured[] = [];
    for (const mode of modes) results.push(await measure(mode));
    const [real, embedded] = results as [Measured, Measured];
    const row = (label: string, cell: (m: Measured) => string) => [label, ...results.map(cell)];
    return {
      tables: [
        {
          title: `${USERS} registrations, ${CONCURRENCY} at a time; milliseconds`,
          columns: ['', ...results.map((m) => m.label)],
          rows: [
            row('provisioning p50', (m) => ms(m.provision.p50)),
            row('provisioning p95', (m) => ms(m.provision.p95)),
            row('provisioning max', (m) => ms(m.provision.max)),
            row('register call p50', (m) => ms(m.register.p50)),
            row('register call p95', (m) => ms(m.register.p95)),
            row('complete `me` call p50', (m) => ms(m.lastMe.p50)),
            row('`me` call p50, no registration in flight', (m) => ms(m.idleMe.p50)),
            row('`me` polls per user p50 / max', (m) => `${m.polls.p50} / ${m.polls.max}`),
            row('stack start-up (s)', (m) => num(m.startupSeconds, 1)),
          ],
        },
      ],
      ratios: [
        { label: 'provisioning p50, real ÷ embedded', value: real.provision.p50 / embedded.provision.p50 },
      ],
      notes: [
        'Provisioning: from the register response to the first `me { defaultWallet { jars balance } }` that ' +
          `answers complete, polling every ${POLL_MS} ms; it includes that last \`me\` call.`,
        'The register call hashes the password with scrypt at OWASP parameters (by design, CPU- and ' +
          `memory-bound), so with ${CONCURRENCY} registrations in flight on this machine provisioning competes ` +
          'with hashing for the cores.',
        `One uncounted wave of ${CONCURRENCY} registrations warms each stack up first. The stacks run one ` +
          'after the other, with the test stacks’ fast messaging settings (OUTBOX_POLL_MS=200).',
        'Checked for every user: `me` returns the registered user, a default wallet with its Income jar, ' +
          'and a zero total balance in the wallet currency.',
        ...results
          .filter((m) => m.polls.max === 1)
          .map(
            (m) =>
              `${m.label}: every user was complete at the first \`me\`, so its provisioning figure is bounded ` +
              'by the latency of that one call, not by the event chain.',
          ),
      ],
    };
  },
};

async function measure(mode: Mode): Promise<Measured> {
  await using cleanup = new AsyncDisposableStack();
  if (mode.rabbit) cleanup.use(await holdRabbitLock('shared'));
  const t0 = performance.now();
  const stack = await mode.start();
  const startupSeconds = (performance.now() - t0) / 1000;
  // Idempotent: whatever the stack's own disposal leaves of its exchange and queues (prefixed by it).
  if (stack.exchange) cleanup.defer(() => deleteAmqpObjects(stack.exchange));
  cleanup.use(stack);
  await onboardMany(stack.url, CONCURRENCY);
  const samples = await onboardMany(stack.url, USERS);
  const idleMe = await meLatencies(stack.url, samples[0]!.token, IDLE_ME_CALLS);
  return {
    label: mode.label,
    startupSeconds,
    register: summarize(samples.map((s) => s.registerMs)),
    provision: summarize(samples.map((s) => s.provisionMs)),
    lastMe: summarize(samples.map((s) => s.lastMeMs)),
    idleMe: summarize(idleMe),
    polls: summarize(samples.map((s) => s.polls)),
  };
}

/** Onboards `count` people, CONCURRENCY at a time. */
async function onboardMany(url: string, count: number): Promise<Sample[]> {
  const samples: Sample[] = [];
  let started = 0;
  const worker = async () => {
    while (started < count) {
      started++;
      samples.push(await onboard(url));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return samples;
}

async function onboard(url: string): Promise<Sample> {
  const email = `bench.${randomBytes(6).toString('hex')}@example.com`;
  const t0 = performance.now();
  const registered = await createClient({ url }).request(RegisterDocument, {
    input: { email, password, displayName: 'Bench', currency: 'EUR' },
  });
  const t1 = performance.now();
  const session = registered.data?.register;
  if (registered.errors || !session) throw new Error(`register failed: ${JSON.stringify(registered.errors)}`);

  const client = createClient({ url, token: session.accessToken });
  for (let polls = 1; ; polls++) {
    const before = performance.now();
    const res = await client.request(MeDocument);
    const after = performance.now();
    const me = res.data?.me;
    const wallet = me?.defaultWallet;
    if (!res.errors && wallet && wallet.jars.length > 0) {
      const complete =
        me.id === session.user.id &&
        wallet.currency === 'EUR' &&
        wallet.jars.some((jar) => jar.kind === 'INCOME') &&
        wallet.balance.total.minorUnits === '0' &&
        wallet.balance.total.currency === 'EUR';
      if (!complete) throw new Error(`me answered an unexpected account: ${JSON.stringify(me)}`);
      return {
        registerMs: t1 - t0,
        provisionMs: after - t1,
        lastMeMs: after - before,
        polls,
        token: session.accessToken,
      };
    }
    if (after - t1 > PROVISION_TIMEOUT_MS) {
      throw new Error(`${email} not provisioned after ${PROVISION_TIMEOUT_MS} ms: ${JSON.stringify(res)}`);
    }
    await sleep(POLL_MS);
  }
}

/** Times `calls` complete `me` calls made one after another. */
async function meLatencies(url: string, token: string, calls: number): Promise<number[]> {
  const client = createClient({ url, token });
  const latencies: number[] = [];
  for (let i = 0; i < calls; i++) {
    const before = performance.now();
    const res = await client.request(MeDocument);
    latencies.push(performance.now() - before);
    if (res.errors || !res.data?.me?.defaultWallet) throw new Error(`me failed: ${JSON.stringify(res)}`);
  }
  return latencies;
}
