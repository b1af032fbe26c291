import { parse, print } from 'graphql';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay, reconnectsAfter } from '../src/live-backoff.ts';
import { withCursorArgument } from '../src/live-resume.ts';
import { keepToken, tokenExpiresAt } from '../src/live-token.ts';
import { tokenExpiring } from './support/tokens.ts';

const resumed = (source: string) => {
  const { document, cursorVariable } = withCursorArgument(parse(source));
  return { query: print(document), cursorVariable };
};

describe('withCursorArgument', () => {
  it('declares $after: String and passes it to the root field when the document does not', () => {
    expect(resumed('subscription Goals { goalAchieved { achievedAt } }')).toEqual({
      query: print(
        parse('subscription Goals($after: String) { goalAchieved(after: $after) { achievedAt } }'),
      ),
      cursorVariable: 'after',
    });
  });

  it('keeps the other arguments and variables, and nested fields untouched', () => {
    expect(resumed('subscription ($w: ID) { balanceChanged(walletId: $w) { wallet { id } } }').query).toBe(
      print(
        parse(
          'subscription ($w: ID, $after: String) { balanceChanged(walletId: $w, after: $after) { wallet { id } } }',
        ),
      ),
    );
  });

  it('leaves a document that already passes a variable as after, whatever its name', () => {
    const source = 'subscription ($since: String) { goalAchieved(after: $since) { achievedAt } }';
    expect(resumed(source)).toEqual({ query: print(parse(source)), cursorVariable: 'since' });
  });

  it('passes a declared $after that the root field did not take', () => {
    expect(resumed('subscription ($after: String) { goalAchieved { achievedAt } }').query).toBe(
      print(parse('subscription ($after: String) { goalAchieved(after: $after) { achievedAt } }')),
    );
  });

  it('finds the root field inside an inline fragment', () => {
    expect(resumed('subscription { ... on Subscription { goalAchieved { achievedAt } } }').query).toBe(
      print(
        parse(
          'subscription ($after: String) { ... on Subscription { goalAchieved(after: $after) { achievedAt } } }',
        ),
      ),
    );
  });

  it('refuses a literal cursor, which it could not move on', () => {
    expect(() =>
      withCursorArgument(parse('subscription { goalAchieved(after: "7") { achievedAt } }')),
    ).toThrow(/must be a variable/);
  });

  it('leaves a query alone', () => {
    const document = parse('{ me { id } }');
    expect(withCursorArgument(document)).toEqual({ document, cursorVariable: undefined });
  });
});

describe('backoffDelay', () => {
  const options = { initialDelayMs: 100, maxDelayMs: 1_000 };

  it('doubles its ceiling with each attempt, up to maxDelayMs', () => {
    const almostOne = () => 0.999_999;
    expect([1, 2, 3, 4, 5, 6, 20].map((attempt) => backoffDelay(attempt, options, almostOne))).toEqual([
      99, 199, 399, 799, 999, 999, 999,
    ]);
  });

  it('is jittered over the whole range below its ceiling (full jitter)', () => {
    expect(backoffDelay(3, options, () => 0)).toBe(0);
    expect(backoffDelay(3, options, () => 0.25)).toBe(100);
    expect(backoffDelay(3, options, () => 0.5)).toBe(200);
    const drawn = new Set(Array.from({ length: 50 }, () => backoffDelay(10, options)));
    expect(drawn.size).toBeGreaterThan(1);
    for (const delay of drawn) expect(delay).toBeGreaterThanOrEqual(0);
    for (const delay of drawn) expect(delay).toBeLessThan(1_000);
  });
});

describe('reconnectsAfter', () => {
  it('reconnects after a dropped or restarting socket, not after a refusal met again', () => {
    expect([1000, 1001, 1006, 1012, 4499, 4408].map(reconnectsAfter)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
    ]);
    expect([1002, 1011, 4400, 4401, 4406, 4409, 4429, 4500, 4029].map(reconnectsAfter)).toEqual(
      Array(9).fill(false),
    );
  });
});

describe('tokenExpiresAt', () => {
  it("reads a JWT's exp without verifying it, and nothing from anything else", () => {
    expect(tokenExpiresAt(tokenExpiring(1_800_000_000))).toBe(1_800_000_000_000);
    expect(tokenExpiresAt('opaque')).toBeUndefined();
    expect(tokenExpiresAt('a.not-json.c')).toBeUndefined();
    expect(tokenExpiresAt(`x.${Buffer.from('{"sub":"u"}').toString('base64url')}.`)).toBeUndefined();
  });
});

describe('keepToken', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('renews the margin before exp, schedules the next from the new exp, and clears its timer on dispose', async () => {
    vi.useFakeTimers({ now: 1_000_000_000_000 });
    const now = Date.now() / 1000;
    const renewed = [tokenExpiring(now + 120, 'second'), tokenExpiring(now + 600, 'third')];
    const renewToken = vi.fn(async () => renewed.shift()!);
    const onRenewed = vi.fn();
    const keeper = keepToken({ token: tokenExpiring(now + 60), renewToken, marginMs: 30_000, onRenewed });

    await vi.advanceTimersByTimeAsync(29_999);
    expect(renewToken).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(renewToken).toHaveBeenCalledTimes(1);
    expect(keeper.current()).toBe(tokenExpiring(now + 120, 'second'));
    expect(onRenewed).toHaveBeenCalledTimes(1);
    // The next one comes from the new token's exp: 120 s − 30 s after the start.
    await vi.advanceTimersByTimeAsync(59_999);
    expect(renewToken).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(renewToken).toHaveBeenCalledTimes(2);

    expect(vi.getTimerCount()).toBe(1);
    keeper.dispose();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('shares one renewToken call between concurrent renewals', async () => {
    let finish: (token: string) => void = () => {};
    const renewToken = vi.fn(() => new Promise<string>((resolve) => (finish = resolve)));
    const keeper = keepToken({ token: 'opaque', renewToken, marginMs: 0, onRenewed: () => {} });
    const both = Promise.all([keeper.renew(), keeper.renew()]);
    finish('fresh');
    await both;
    expect(renewToken).toHaveBeenCalledTimes(1);
    expect(keeper.current()).toBe('fresh');
    keeper.dispose();
  });
});
