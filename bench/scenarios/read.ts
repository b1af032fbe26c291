import { mkdirSync } from 'node:fs';
import { Agent } from 'node:http';
import { resolve } from 'node:path';
import { subgraphUrl } from '@walletgraph/platform/config';
import { holdRabbitLock } from '@walletgraph/platform/test/support/infra';
import { deposit, newKey, type Person, pool, transfer } from '@walletgraph/tests/support/money';
import { startRealStack, type TestStack } from '@walletgraph/tests/support/stack';
import { closedLoop, mirrored, post } from '../closed-loop.ts';
import { cpuBetween, infrastructure, type ProcessGroup, readCpu } from '../cpu.ts';
import { gatewayVersions, startHiveGateway } from '../hive.ts';
import { untilQuiet } from '../quiet.ts';
import { meQuery, overviewQuery, type ReadQuery } from '../read-queries.ts';
import { gatewayCpu, type Measured, merged, type Run, readTable, rps, type Target } from '../read-results.ts';
import { fulfilled, num, type Ratio, registerPeople, type Scenario, until } from '../support.ts';

/**
 * Reads through walletgraph's gateway (Apollo Gateway) beside Hive Gateway over the same
 * committed supergraph and the same running subgraphs: the wallet overview (five subgraphs) and
 * `me` (identity alone, also sent straight to the identity subgraph). Closed loop, every request
 * another user's. `BENCH_READ_SECONDS` sets each run's duration, `BENCH_READ_CLIENTS` the
 * concurrency, and `BENCH_CPU_PROF_DIR` makes the services and Hive write CPU profiles.
 */

const USERS = 64;
const REGISTER_CONCURRENCY = 4;
const FUND_CONCURRENCY = 8;
/** 100.00 EUR each, then TRANSFERS rounds of 1.00 EUR around the ring: every total stays 100.00. */
const DEPOSIT_MINOR = 10_000n;
const TRANSFER_MINOR = 100n;
const TRANSFERS = 3;
const OPERATIONS = 5;
const DEFAULT_CLIENTS = 32;
const DEFAULT_SECONDS = 10;
/** Uncounted, per target, before its first run (JIT, plan caches, connections). */
const WARM_UP_SECONDS = 3;
/** Before any load: the stack's processes idle again after the setup (consumers, projections). */
const QUIET = { cores: 0.15, windowMs: 1000, timeoutMs: 60_000 };
const services = ['identity', 'wallet', 'jars', 'transactions', 'ledger'] as const;

export const scenario: Scenario = {
  name: 'read',
  title: "Reads through walletgraph's gateway beside Hive Gateway, every request another user's",
  async run() {
    const { clients, seconds } = chosenLoad();
    await using cleanup = new AsyncDisposableStack();
    cleanup.use(await holdRabbitLock('shared'));
    const profiles = process.env.BENCH_CPU_PROF_DIR ? resolve(process.env.BENCH_CPU_PROF_DIR) : undefined;
    if (profiles) mkdirSync(profiles, { recursive: true });
    const nodeOptions = profiles ? `--cpu-prof --cpu-prof-dir=${profiles}` : undefined;
    const stack = cleanup.use(
      await startRealStack({
        DATABASE_POOL_MAX: '10',
        ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
      }),
    );
    const people = await fundedPeople(stack);
    const hive = cleanup.use(await startHiveGateway(stack, nodeOptions ? { nodeOptions } : {}));

    const groups = processGroups(stack, hive.pid);
    const walletgraph: Target = {
      label: 'walletgraph gateway',
      url: stack.url,
      gateway: 'walletgraph gateway',
    };
    const hiveTarget: Target = { label: 'Hive Gateway', url: hive.url, gateway: 'Hive Gateway' };
    const direct: Target = { label: 'identity subgraph direct', url: subgraphUrl(stack.config, 'identity') };
    const tokens = people.map((p) => p.token);
    const overview = overviewQuery(people, { totalMinor: Number(DEPOSIT_MINOR), operations: OPERATIONS });
    const me = meQuery(people);
    const suites: { query: ReadQuery; targets: Target[] }[] = [
      { query: overview, targets: [walletgraph, hiveTarget] },
      { query: me, targets: [direct, walletgraph, hiveTarget] },
    ];

    for (const { query, targets } of suites) await verify(query, targets, people);
    const stackGroups = groups.filter((g) => !['Hive Gateway', 'bench'].includes(g.label));
    const settled = await untilQuiet(stackGroups, QUIET);
    const measured: Measured[][] = [];
    for (const { query, targets } of suites) {
      const load = (target: Target, s: number) =>
        closedLoop({ url: target.url, body: query.body, tokens, clients, seconds: s, check: query.check });
      for (const target of targets) await load(target, WARM_UP_SECONDS);
      const runs = await mirrored(
        targets.map((target) => async (): Promise<Run> => {
          const before = readCpu(groups);
          const run = await load(target, seconds);
          return { ...run, cpu: cpuBetween(before, readCpu(groups)) };
        }),
      );
      measured.push(targets.map((target, i) => ({ target, runs: runs[i]! })));
    }

    const [overviewRuns, meRuns] = measured as [Measured[], Measured[]];
    const [wgOverview, hiveOverview] = overviewRuns as [Measured, Measured];
    const [directMe, wgMe, hiveMe] = meRuns as [Measured, Measured, Measured];
    const ratios: Ratio[] = [
      {
        label: 'wallet overview requests / s, walletgraph gateway ÷ Hive Gateway',
        value: rps(wgOverview) / rps(hiveOverview),
      },
      {
        label: 'wallet overview gateway CPU per request, walletgraph ÷ Hive',
        value: gatewayCpu(wgOverview) / gatewayCpu(hiveOverview),
      },
      { label: 'me requests / s, walletgraph gateway ÷ Hive Gateway', value: rps(wgMe) / rps(hiveMe) },
      {
        label: 'me gateway CPU per request, walletgraph ÷ Hive',
        value: gatewayCpu(wgMe) / gatewayCpu(hiveMe),
      },
      { label: 'me requests / s, walletgraph gateway ÷ identity direct', value: rps(wgMe) / rps(directMe) },
      { label: 'me requests / s, Hive Gateway ÷ identity direct', value: rps(hiveMe) / rps(directMe) },
    ].filter((r) => Number.isFinite(r.value));
    const failures = measured
      .flat()
      .flatMap((m) => [...merged(m).failures].map(([kind, n]) => `${m.target.label}: ${num(n)} × ${kind}`));
    const v = gatewayVersions();
    return {
      tables: [
        readTable(
          `Wallet overview (identity, wallet, jars, ledger, transactions), ${clients} clients`,
          overviewRuns,
        ),
        readTable(`me { id email displayName } (identity alone), ${clients} clients`, meRuns),
      ],
      ratios,
      notes: [
        `${USERS} users registered (${REGISTER_CONCURRENCY} at a time) on one real stack with DATABASE_POOL_MAX=10, ` +
          `each default wallet funded with a ${num(Number(DEPOSIT_MINOR) / 100, 2)} EUR deposit and ${TRANSFERS} rounds ` +
          `of ${num(Number(TRANSFER_MINOR) / 100, 2)} EUR transfers around the ring of users (user i → i+1), all ` +
          `settled: ${1 + 2 * TRANSFERS} operations per wallet, \`operations(first: ${OPERATIONS})\` answers ${OPERATIONS}.`,
        `Closed loop: ${clients} clients for ${seconds} s per run, each target run twice in mirrored order ` +
          `(${suites.map((s) => [...s.targets, ...[...s.targets].reverse()].map((t) => t.label).join(', ')).join('; then ')}), ` +
          `after an uncounted ${WARM_UP_SECONDS} s per target. First the stack (gateway, subgraphs, Postgres, ` +
          `RabbitMQ, Redis) was left to settle after the setup: ${settleNote(settled)}. Every request carries the next user's token in turn ` +
          `(round-robin over all ${USERS}), so consecutive requests, and those in flight together, are different ` +
          "users': nothing can be merged or cached across requests. HTTP/1.1 keep-alive POSTs from node:http.",
        "Correct answer: HTTP 200, data, no `errors`, and the asker's own wallet id (overview, with 5 operations " +
          'and a jar) or email (me); anything else counts as failed and is listed here. Before the load, every ' +
          "user's answer from each target passed a full check (total 100.00, available + allocated = total, the " +
          'jars summing to allocated, an Income jar, operations COMPLETED) and was identical across the targets. ' +
          'Failures: ' +
          `${failures.length > 0 ? failures.join('; ') : 'none'}.`,
        'Hive Gateway: a child process (bench/hive-gateway.ts: `createGatewayRuntime` of ' +
          '@graphql-hive/gateway-runtime behind node:http, as the `hive-gateway supergraph` CLI serves with one ' +
          'worker) over gateway/supergraph.graphql with its ' +
          "`@join__graph` URLs rewritten to the stack's subgraphs, forwarding the client's `authorization` header " +
          '(propagateHeaders); its defaults otherwise, logging at warn, NODE_ENV=development as the stack runs. ' +
          "walletgraph's gateway also verifies each token itself and counts each request against two Redis rate " +
          'limits (per address and per user, set roomy); Hive does neither. The subgraphs verify the token in ' +
          'both cases.',
        'CPU: utime+stime (+ reaped children) from /proc/<pid>/stat before and after each run, summed over both ' +
          'runs and divided by the correct answers. Gateway process: the pid of the one the target goes through ' +
          '(the other gateway idles meanwhile). Subgraphs: the five subgraph processes. Postgres, Redis, ' +
          'RabbitMQ by command name. The bench process (load generator) is not in the total.',
        `Versions: Hive Gateway @graphql-hive/gateway-runtime ${v.hiveRuntime} with @graphql-mesh/transport-http ` +
          `${v.hiveHttpTransport}; walletgraph's gateway ` +
          `@apollo/gateway ${v.apolloGateway} on @apollo/server ${v.apolloServer}; node ${process.version}.`,
        ...(profiles ? [`The services and Hive ran with --cpu-prof: profiles in ${profiles}.`] : []),
      ],
    };
  },
};

function settleNote(s: { seconds: number; cores: number; quiet: boolean }): string {
  return s.quiet
    ? `${num(s.seconds, 1)} s until it kept under ${QUIET.cores} cores busy (${num(s.cores, 2)})`
    : `it still kept ${num(s.cores, 2)} cores busy after ${num(s.seconds, 0)} s, and the load started anyway`;
}

function chosenLoad(): { clients: number; seconds: number } {
  const whole = (name: string, fallback: number, max: number) => {
    const text = process.env[name];
    const value = text ? Number(text) : fallback;
    if (!Number.isInteger(value) || value < 1 || value > max) {
      throw new Error(`${name} must be a whole number from 1 to ${max}, not ${text}`);
    }
    return value;
  };
  return {
    clients: whole('BENCH_READ_CLIENTS', DEFAULT_CLIENTS, USERS),
    seconds: whole('BENCH_READ_SECONDS', DEFAULT_SECONDS, 600),
  };
}

/** Registers the users and funds their wallets: a deposit, then TRANSFERS rounds around the ring. */
async function fundedPeople(stack: TestStack): Promise<Person[]> {
  const people = await registerPeople(stack, USERS, 'reader', REGISTER_CONCURRENCY);
  const settled = (what: string, op: { id: string; status: string; failureCode?: string | null }) => {
    if (op.status !== 'COMPLETED') throw new Error(`${what} ${op.id} is ${op.status} (${op.failureCode})`);
  };
  fulfilled(
    await pool(people, FUND_CONCURRENCY, async (p) =>
      settled('deposit', await deposit(p, DEPOSIT_MINOR, newKey('bench-read-deposit'))),
    ),
  );
  for (let round = 0; round < TRANSFERS; round++) {
    fulfilled(
      await pool(people, FUND_CONCURRENCY, async (p, i) =>
        settled(
          'transfer',
          await transfer(p, people[(i + 1) % USERS]!, TRANSFER_MINOR, newKey('bench-read')),
        ),
      ),
    );
  }
  return people;
}

/**
 * Every user's answer from every target passes the full check and is the same from each (waits,
 * at most 30 s per user, for projections that settle after the transfers).
 */
async function verify(
  query: ReadQuery,
  targets: readonly Target[],
  people: readonly Person[],
): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  try {
    for (const [user, p] of people.entries()) {
      let problem = '';
      await until(
        `${query.label} for ${p.name} to be right and alike through ${targets.map((t) => t.label).join(', ')}`,
        async () => {
          const answers = await Promise.all(targets.map((t) => post(agent, t.url, query.body, p.token)));
          const texts = answers.map((a, i) => {
            const wrong = 'data' in a ? query.checkFully(a.data, user) : a.failure;
            return wrong ? `${targets[i]!.label}: ${wrong}` : JSON.stringify((a as { data: unknown }).data);
          });
          problem =
            texts.find((t) => !t.startsWith('{')) ??
            (new Set(texts).size > 1 ? `answers differ: ${texts.join(' ≠ ')}` : '');
          return problem === '';
        },
        { timeoutMs: 30_000, intervalMs: 200 },
      ).catch((error: Error) => {
        throw new Error(`${error.message}: ${problem}`);
      });
    }
  } finally {
    agent.destroy();
  }
}

function processGroups(stack: TestStack, hivePid: number): ProcessGroup[] {
  const pids = stack.pids();
  const missing = ['gateway' as const, ...services].filter((name) => pids[name] === undefined);
  if (missing.length > 0) throw new Error(`no process id for ${missing.join(', ')}`);
  return [
    { label: 'walletgraph gateway', pids: [pids.gateway!] },
    { label: 'Hive Gateway', pids: [hivePid] },
    { label: 'subgraphs', pids: services.map((name) => pids[name]!) },
    ...infrastructure,
    { label: 'bench', pids: [process.pid], count: 'own' as const },
  ];
}
