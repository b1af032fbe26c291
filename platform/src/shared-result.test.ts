import { describe, expect, it } from 'vitest';
import { sharedResult } from './shared-result.ts';

/** A run the test finishes by hand, counting how often it was started. */
function manualRun() {
  const started: PromiseWithResolvers<string>[] = [];
  return {
    started,
    run: () => {
      const next = Promise.withResolvers<string>();
      started.push(next);
      return next.promise;
    },
  };
}

describe('sharedResult', () => {
  it('gives every caller during a run that run’s result, starting it once', async () => {
    const { started, run } = manualRun();
    const shared = sharedResult(run);
    const answers = Promise.all(Array.from({ length: 10 }, () => shared()));
    expect(started).toHaveLength(1);
    started[0]!.resolve('ready');
    expect(await answers).toEqual(Array(10).fill('ready'));
  });

  it('reuses a finished result for reuseMs, then runs again', async () => {
    let clock = 1_000;
    const { started, run } = manualRun();
    const shared = sharedResult(run, { reuseMs: 1_000, now: () => clock });
    const first = shared();
    started[0]!.resolve('first');
    expect(await first).toBe('first');

    clock += 999;
    expect(await shared()).toBe('first');
    expect(started).toHaveLength(1);

    clock += 1;
    const second = shared();
    expect(started).toHaveLength(2);
    started[1]!.resolve('second');
    expect(await second).toBe('second');
  });

  it('keeps nothing of a failed run: the next caller starts another', async () => {
    const { started, run } = manualRun();
    const shared = sharedResult(run, { reuseMs: 60_000 });
    const failing = shared();
    started[0]!.reject(new Error('down'));
    await expect(failing).rejects.toThrow('down');
    const retried = shared();
    expect(started).toHaveLength(2);
    started[1]!.resolve('up');
    expect(await retried).toBe('up');
  });
});
