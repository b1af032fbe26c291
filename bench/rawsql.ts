import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { dropTestDatabase, PG_URL } from '@walletgraph/platform/test/support/infra';
import { testDatabaseUrl } from '@walletgraph/platform/test/support/services';
import { withSql } from '@walletgraph/tests/support/money';
import { cpuBetween, infrastructure, type ProcessGroup, readCpu } from './cpu.ts';
import { namespace, sleep } from './support.ts';

/**
 * The reference for the write scenario: the same transfer as raw SQL on the same Postgres, run by
 * pgbench in a scratch database (`wgbench_rawsql_<random>`, dropped afterwards). One transaction
 * is the two conditional balance updates (in account order, so the ring of client pairs cannot
 * deadlock), a journal row with a unique idempotency key and its two postings.
 */

/**
 * pgbench opens one connection per client, and this Postgres has max_connections = 100: the
 * reference runs at most this many clients (the services share pools of DATABASE_POOL_MAX).
 */
export const MAX_PGBENCH_CLIENTS = 64;
/** Minor units each account starts with: no update ever finds too little. */
const OPENING_BALANCE = 1_000_000_000;

export interface RawSqlRun {
  /** The concurrency level asked for, and the pgbench clients that ran it. */
  level: number;
  clients: number;
  seconds: number;
  transactions: number;
  failed: number;
  tps: number;
  latencyMs: number;
  /** CPU seconds of every `postgres` process, and of pgbench itself (the load generator). */
  postgresCpu: number;
  pgbenchCpu: number;
}

const schema = `
create table accounts (id int primary key, balance bigint not null check (balance >= 0));
create table journal_entries (
  id bigserial primary key,
  idempotency_key text not null unique,
  description text not null,
  created_at timestamptz not null default now()
);
create table postings (
  entry_id bigint not null references journal_entries (id),
  line int not null,
  account_id int not null,
  amount bigint not null,
  balance_after bigint not null,
  primary key (entry_id, line)
);
create index postings_account_idx on postings (account_id, entry_id);`;

// Client i moves 1 minor unit from account i + 1 to the next one, the last to the first (with one
// client: 1 to 2), as the scenario's clients do with their wallets.
const script = String.raw`\set from :client_id + 1
\set to (:client_id + 1) % greatest(:n, 2) + 1
BEGIN;
\if :from < :to
UPDATE accounts SET balance = balance - 1 WHERE id = :from AND balance >= 1 RETURNING balance AS from_after \gset
UPDATE accounts SET balance = balance + 1 WHERE id = :to RETURNING balance AS to_after \gset
\else
UPDATE accounts SET balance = balance + 1 WHERE id = :to RETURNING balance AS to_after \gset
UPDATE accounts SET balance = balance - 1 WHERE id = :from AND balance >= 1 RETURNING balance AS from_after \gset
\endif
INSERT INTO journal_entries (idempotency_key, description) VALUES (gen_random_uuid()::text, 'Transfer') RETURNING id AS entry_id \gset
INSERT INTO postings (entry_id, line, account_id, amount, balance_after) VALUES (:entry_id, 1, :from, -1, :from_after), (:entry_id, 2, :to, 1, :to_after);
END;
`;

const run = promisify(execFile);
const postgresOnly = infrastructure.filter((g) => g.label === 'Postgres');
/** pgbench runs as a child of this process: its CPU shows in our cutime/cstime once it has exited. */
const pgbenchGroup: ProcessGroup = { label: 'pgbench', pids: [process.pid], count: 'reaped' };

/** Runs the reference at each level for `seconds`, after an uncounted warm-up. */
export async function rawSqlReference(
  accounts: number,
  levels: readonly { clients: number; seconds: number }[],
  warmUp: { clients: number; seconds: number },
): Promise<RawSqlRun[]> {
  await using cleanup = new AsyncDisposableStack();
  const name = namespace('rawsql').prefix;
  const dir = mkdtempSync(join(os.tmpdir(), 'wgbench-rawsql-'));
  cleanup.defer(() => rmSync(dir, { recursive: true, force: true }));
  const scriptPath = join(dir, 'transfer.sql');
  writeFileSync(scriptPath, script);

  await withSql(PG_URL, (sql) => sql.unsafe(`create database "${name}"`));
  cleanup.defer(() => dropTestDatabase(name));
  await withSql(testDatabaseUrl(name), async (sql) => {
    await sql.unsafe(schema);
    await sql.unsafe(
      `insert into accounts select g, ${OPENING_BALANCE} from generate_series(1, ${accounts}) g`,
    );
    await sql.unsafe('vacuum analyze');
  });

  await pgbench(scriptPath, name, warmUp.clients, warmUp.seconds);
  const runs: RawSqlRun[] = [];
  for (const { clients: level, seconds } of levels) {
    const clients = Math.min(level, MAX_PGBENCH_CLIENTS);
    const before = readCpu([...postgresOnly, pgbenchGroup]);
    const out = await pgbench(scriptPath, name, clients, seconds);
    // Let the postmaster reap the closed connections' backends: their CPU moves to its cutime.
    await sleep(300);
    const cpu = cpuBetween(before, readCpu([...postgresOnly, pgbenchGroup]));
    runs.push({ level, clients, seconds, ...out, postgresCpu: cpu.Postgres!, pgbenchCpu: cpu.pgbench! });
  }
  return runs;
}

async function pgbench(scriptPath: string, database: string, clients: number, seconds: number) {
  const url = new URL(PG_URL);
  const args = [
    ...['-h', url.hostname, '-p', url.port || '5432', '-U', decodeURIComponent(url.username || 'postgres')],
    ...['-n', '-f', scriptPath, '-c', String(clients), '-j', String(Math.min(2, clients))],
    ...['-T', String(seconds), '-M', 'prepared', '-D', `n=${clients}`, database],
  ];
  const env = { ...process.env, ...(url.password ? { PGPASSWORD: decodeURIComponent(url.password) } : {}) };
  const { stdout } = await run('pgbench', args, { env, timeout: (seconds + 60) * 1000 });
  const number = (pattern: RegExp) => {
    const match = pattern.exec(stdout);
    if (!match) throw new Error(`pgbench printed no ${pattern.source}:\n${stdout}`);
    return Number(match[1]);
  };
  return {
    transactions: number(/number of transactions actually processed: (\d+)/),
    failed: /number of failed transactions: (\d+)/.test(stdout)
      ? number(/number of failed transactions: (\d+)/)
      : 0,
    tps: number(/tps = ([\d.]+) \(without initial connection time\)/),
    latencyMs: number(/latency average = ([\d.]+) ms/),
  };
}
