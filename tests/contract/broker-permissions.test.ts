import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EventType, eventCatalog } from '@walletgraph/events';
import { subgraphDefinitions } from '@walletgraph/launcher/subgraphs';
import { loadConfig, type SubgraphName, subgraphNames } from '@walletgraph/platform/config';
import { bindingsOf } from '@walletgraph/platform/consumer';
import { queueNames } from '@walletgraph/platform/messaging/amqp-topology';
import { describe, expect, it } from 'vitest';

/**
 * ops/rabbitmq/create-users.sh gives each service a broker user limited to what it publishes
 * and consumes. The script runs here against a stand-in rabbitmqctl that records its calls, and
 * what it grants is checked against the code: every consumer's queues and bindings, and every
 * event type a service creates, are allowed to that service and to no other.
 */

const root = join(import.meta.dirname, '../..');
const exchange = 'walletgraph';
const { CONSUMER_RETRY_DELAYS_MS } = loadConfig({});
const eventTypes = Object.keys(eventCatalog) as EventType[];

interface Grant {
  configure: RegExp;
  write: RegExp;
  read: RegExp;
  topicWrite: RegExp;
  topicRead: RegExp;
}

/** The grants the script makes, by user, as the broker reads them (its regexes, unanchored). */
function runScript(): Map<string, Grant> {
  const dir = mkdtempSync(join(tmpdir(), 'wg-rabbitmqctl-'));
  try {
    const log = join(dir, 'calls');
    const ctl = join(dir, 'rabbitmqctl');
    // One line per call, its arguments separated by the unit separator.
    writeFileSync(ctl, `#!/bin/sh\nprintf '%s\\037' "$@" >> '${log}'\nprintf '\\n' >> '${log}'\n`, {
      mode: 0o755,
    });
    const passwords = Object.fromEntries(
      [...subgraphNames, 'gateway'].map((n) => [`${n.toUpperCase()}_AMQP_PASSWORD`, `pw-${n}`]),
    );
    execFileSync('bash', [join(root, 'ops/rabbitmq/create-users.sh')], {
      env: { PATH: process.env.PATH, RABBITMQCTL: ctl, ...passwords },
    });
    const calls = readFileSync(log, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => line.split('\x1f').slice(0, -1));
    const grants = new Map<string, Partial<Record<keyof Grant, RegExp>>>();
    const of = (user: string) => grants.get(user) ?? grants.set(user, {}).get(user)!;
    for (const [command, , vhost, user, ...args] of calls) {
      if (command === 'set_permissions') {
        expect(vhost).toBe('/');
        const [configure, write, read] = args.map((a) => new RegExp(a!));
        Object.assign(of(user!), { configure, write, read });
      } else if (command === 'set_topic_permissions') {
        expect(args[0]).toBe(exchange);
        Object.assign(of(user!), { topicWrite: new RegExp(args[1]!), topicRead: new RegExp(args[2]!) });
      }
    }
    return grants as Map<string, Grant>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The event types a subgraph's code creates (`createEvent('<type>', …)`, and `live.notices.v1`
 * through `liveNoticesEvent`/`enqueueNotices`), read from its sources.
 */
function emittedBy(name: SubgraphName): Set<string> {
  const dir = join(root, 'subgraphs', name);
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter(
    (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !/(^|\/)(node_modules|test|generated)\//.test(f),
  );
  const types = new Set<string>();
  for (const file of files) {
    const source = readFileSync(join(dir, file), 'utf8');
    for (const m of source.matchAll(/createEvent\(\s*'([\w.]+)'/g)) types.add(m[1]!);
    // Live notices are made by the platform's helpers (platform/src/live/notices.ts).
    if (/\b(liveNoticesEvent|enqueueNotices)\(/.test(source)) types.add('live.notices.v1');
  }
  return types;
}

/** A subgraph's consumers as it declares them (their handlers are never called here). */
const consumersOf = (name: SubgraphName) => subgraphDefinitions[name].consumers?.({} as never) ?? [];

/** The queues of a consumer: main, dead-letter and one per retry delay (any delay). */
const queuesOf = (consumer: string) => {
  const name = `${exchange}.${consumer}`;
  return [
    queueNames.main(name),
    queueNames.deadLetter(name),
    ...[...CONSUMER_RETRY_DELAYS_MS, 12_345].map((ms) => queueNames.retry(name, ms)),
  ];
};

const grants = runScript();
const emitted = new Map(subgraphNames.map((n) => [n, emittedBy(n)]));
const declaration = [exchange, queueNames.unroutable(exchange)];

describe('the broker users of ops/rabbitmq/create-users.sh', () => {
  it('are one per service and the gateway', () => {
    expect([...grants.keys()].sort()).toEqual(
      [...subgraphNames, 'gateway'].map((n) => `walletgraph-${n}`).sort(),
    );
  });

  it('find every event type the code creates in the catalog, each created by some service', () => {
    const all = new Set([...emitted.values()].flatMap((s) => [...s]));
    expect([...all].filter((t) => !eventTypes.includes(t as EventType))).toEqual([]);
    expect(eventTypes.filter((t) => !all.has(t))).toEqual([]);
  });

  describe.each(subgraphNames)('%s', (name) => {
    const grant = grants.get(`walletgraph-${name}`)!;
    const consumers = consumersOf(name);
    const others = subgraphNames.filter((n) => n !== name);

    it('may declare the events exchange, its alternate exchange and the unroutable queue', () => {
      for (const resource of declaration) {
        expect(resource).toMatch(grant.configure);
        expect(resource).toMatch(grant.read);
      }
      expect(queueNames.unroutable(exchange)).toMatch(grant.write);
    });

    it('may publish each event type it creates, under any topic, and no other', () => {
      expect(exchange).toMatch(grant.write);
      for (const type of eventTypes) {
        const mine = emitted.get(name)!.has(type);
        for (const key of [type, `${type}.operation.jars`]) {
          expect({ type, key, allowed: grant.topicWrite.test(key) }).toEqual({ type, key, allowed: mine });
        }
      }
    });

    it("declares, binds, consumes and retries through its own consumers' queues", () => {
      expect('amq.default').toMatch(grant.write);
      for (const consumer of [
        ...consumers.map((c) => c.name),
        ...(subgraphDefinitions[name].retiredConsumers ?? []),
      ]) {
        // The permissions name a service's queues by this prefix.
        expect(consumer.startsWith(`${name}.`)).toBe(true);
        for (const queue of queuesOf(consumer)) {
          expect(queue).toMatch(grant.configure);
          expect(queue).toMatch(grant.write);
          expect(queue).toMatch(grant.read);
        }
      }
    });

    it('may bind its queues to exactly the event types it consumes', () => {
      const bindings = consumers.flatMap((c) => [...bindingsOf(c).values()].flat());
      expect(bindings.length).toBeGreaterThan(0);
      for (const binding of bindings) expect(binding).toMatch(grant.topicRead);
      const consumed = new Set(consumers.flatMap((c) => [...bindingsOf(c).keys()]));
      for (const type of eventTypes.filter((t) => !consumed.has(t))) {
        expect(`${type}.#`).not.toMatch(grant.topicRead);
      }
    });

    it("can touch no other service's queues", () => {
      for (const other of others) {
        for (const consumer of consumersOf(other)) {
          for (const queue of queuesOf(consumer.name)) {
            expect(queue).not.toMatch(grant.configure);
            expect(queue).not.toMatch(grant.write);
            expect(queue).not.toMatch(grant.read);
          }
        }
      }
    });
  });

  it('let only the services that issue ledger commands post them', () => {
    const posters = subgraphNames.filter((n) =>
      grants.get(`walletgraph-${n}`)!.topicWrite.test('ledger.post.v1'),
    );
    expect(posters).toEqual(subgraphNames.filter((n) => emitted.get(n)!.has('ledger.post.v1')));
    expect(posters).toEqual(['jars', 'transactions']);
  });

  it('give the gateway only the declarations: it can neither publish nor read any queue', () => {
    const grant = grants.get('walletgraph-gateway')!;
    for (const resource of declaration) {
      expect(resource).toMatch(grant.configure);
      expect(resource).toMatch(grant.read);
    }
    expect(exchange).not.toMatch(grant.write);
    expect('amq.default').not.toMatch(grant.write);
    for (const name of subgraphNames) {
      for (const consumer of consumersOf(name)) {
        for (const queue of queuesOf(consumer.name)) {
          expect(queue).not.toMatch(grant.configure);
          expect(queue).not.toMatch(grant.read);
        }
      }
    }
    for (const type of eventTypes) expect(type).not.toMatch(grant.topicWrite);
  });
});
