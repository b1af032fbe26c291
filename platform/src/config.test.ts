import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { billerUrl, ConfigError, loadConfig } from './config.ts';

const real = {
  DATABASE_URL: 'postgres://walletgraph:s3cret@db:5432/postgres',
  AMQP_URL: 'amqp://walletgraph-ledger:s3cret@broker:5672',
  REDIS_URL: 'redis://:s3cret@redis:6379',
};
const production = (overrides: Record<string, string | undefined>) =>
  loadConfig({ ...real, NODE_ENV: 'production', ...overrides });

/** The ConfigError `load` throws (or a failure when it throws nothing). */
function refusal(load: () => unknown): ConfigError {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('production service credentials', () => {
  it('accepts a broker user and a Redis password of its own', () => {
    expect(production({})).toMatchObject({ mode: 'real', isProduction: true });
    expect(production({ REDIS_URL: 'rediss://walletgraph:s3cret@redis:6380' }).isProduction).toBe(true);
  });

  it("refuses the broker's guest/guest, saying why, without repeating the URL", () => {
    const error = refusal(() => production({ AMQP_URL: 'amqp://guest:guest@broker:5672' }));
    expect(error.message).toMatch(/AMQP_URL: guest\/guest is refused in production/);
    expect(error.message).toMatch(/mint money/);
    expect(error.message).not.toContain('broker:5672');
  });

  it('refuses a broker URL without credentials (the client would sign in as guest/guest) or without a password', () => {
    expect(refusal(() => production({ AMQP_URL: 'amqp://broker:5672' })).message).toMatch(
      /AMQP_URL: needs a user and password in production/,
    );
    expect(refusal(() => production({ AMQP_URL: 'amqp://walletgraph@broker:5672' })).message).toMatch(
      /AMQP_URL: needs a user and password/,
    );
  });

  it('refuses a Redis URL without a password', () => {
    const error = refusal(() => production({ REDIS_URL: 'redis://redis:6379' }));
    expect(error.message).toMatch(/REDIS_URL: needs a password in production/);
    expect(refusal(() => production({ REDIS_URL: 'redis://walletgraph@redis:6379' })).message).toMatch(
      /REDIS_URL/,
    );
  });

  it('names both when both are weak', () => {
    const error = refusal(() =>
      production({ AMQP_URL: 'amqp://guest:guest@broker:5672', REDIS_URL: 'redis://redis:6379' }),
    );
    expect(error.message).toMatch(/AMQP_URL[\s\S]*REDIS_URL/);
  });

  it('leaves development and embedded mode as they are: guest/guest and no Redis password on this machine', () => {
    const local = { AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672', REDIS_URL: 'redis://127.0.0.1:6379' };
    expect(loadConfig({ ...real, ...local }).isProduction).toBe(false);
    expect(loadConfig({ ...real, ...local, NODE_ENV: 'test' }).mode).toBe('real');
    expect(loadConfig({ NODE_ENV: 'production' }).mode).toBe('embedded');
  });
});

describe('SIGNING_KEY_ENCRYPTION_KEY', () => {
  it('is 32 bytes in hex or base64, or refused by name', () => {
    expect(loadConfig({ SIGNING_KEY_ENCRYPTION_KEY: 'ab'.repeat(32) }).SIGNING_KEY_ENCRYPTION_KEY).toBe(
      'ab'.repeat(32),
    );
    expect(loadConfig({ SIGNING_KEY_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') })).toBeTruthy();
    expect(refusal(() => loadConfig({ SIGNING_KEY_ENCRYPTION_KEY: 'hunter2' })).message).toMatch(
      /SIGNING_KEY_ENCRYPTION_KEY: must be 32 bytes/,
    );
  });

  it('may be read from the file SIGNING_KEY_ENCRYPTION_KEY_FILE names (a mounted secret), checked the same', () => {
    const dir = mkdtempSync(join(tmpdir(), 'walletgraph-kek-'));
    try {
      const file = join(dir, 'key');
      writeFileSync(file, `${'cd'.repeat(32)}\n`);
      expect(loadConfig({ SIGNING_KEY_ENCRYPTION_KEY_FILE: file }).SIGNING_KEY_ENCRYPTION_KEY).toBe(
        'cd'.repeat(32),
      );
      writeFileSync(file, 'hunter2\n');
      expect(refusal(() => loadConfig({ SIGNING_KEY_ENCRYPTION_KEY_FILE: file })).message).toMatch(
        /SIGNING_KEY_ENCRYPTION_KEY: must be 32 bytes/,
      );
      expect(
        refusal(() => loadConfig({ SIGNING_KEY_ENCRYPTION_KEY_FILE: join(dir, 'missing') })).message,
      ).toMatch(/SIGNING_KEY_ENCRYPTION_KEY_FILE: cannot read .*missing \(ENOENT\)/);
      expect(
        refusal(() =>
          loadConfig({ SIGNING_KEY_ENCRYPTION_KEY_FILE: file, SIGNING_KEY_ENCRYPTION_KEY: 'ab'.repeat(32) }),
        ).message,
      ).toMatch(/set one, not both/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the biller', () => {
  it('is reached on BILLER_PORT unless BILLER_URL says otherwise', () => {
    expect(billerUrl(loadConfig({}))).toBe('http://127.0.0.1:4010');
    expect(billerUrl(loadConfig({ BILLER_PORT: '4710' }))).toBe('http://127.0.0.1:4710');
    expect(billerUrl(loadConfig({ BILLER_URL: 'https://biller.example' }))).toBe('https://biller.example');
  });

  it('names a failure rate outside 0..1', () => {
    expect(refusal(() => loadConfig({ BILLER_FAILURE_RATE: '1.5' })).message).toMatch(
      /BILLER_FAILURE_RATE: /,
    );
  });
});
