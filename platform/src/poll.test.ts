import { describe, expect, it } from 'vitest';
import { pollUntilQuiet } from './poll.ts';

describe('waiting for asynchronous effects to settle', () => {
  it('returns as soon as the answer is what is waited for', async () => {
    let n = 0;
    expect(
      await pollUntilQuiet(
        async () => ++n,
        (v) => v >= 3,
        { timeoutMs: 5_000, pollMs: 1 },
      ),
    ).toBe(3);
  });

  it('gives up once the answer has stopped changing for quietMs', async () => {
    let reads = 0;
    const value = await pollUntilQuiet(
      async () => {
        reads++;
        return Math.min(reads, 3);
      },
      () => false,
      { timeoutMs: 5_000, quietMs: 30, pollMs: 5 },
    );
    expect(value).toBe(3);
    expect(reads).toBeGreaterThan(3);
  });
});
