import { uuidv7 } from '@walletgraph/events';
import { describe, expect, it } from 'vitest';
import { uuidv7Time } from './ids.ts';
import { readProjection } from './projection-read.ts';

describe('reading a projected row that may still be on its way', () => {
  it('reads the time a UUIDv7 was minted, and nothing from other ids', () => {
    expect(uuidv7Time('01a22bff-8f79-7049-b9bf-d0694a35fb68')?.toISOString()).toBe(
      '2026-11-30T10:28:18.425Z',
    );
    expect(uuidv7Time('0196f0a0-0000-4000-8000-000000000001')).toBeNull();
    expect(uuidv7Time('not-an-id')).toBeNull();
  });

  it('waits for a freshly minted id until its row appears', async () => {
    let reads = 0;
    const row = await readProjection(uuidv7(), async () => (++reads >= 3 ? { ok: true } : null), {
      pollMs: 1,
    });
    expect(row).toEqual({ ok: true });
    expect(reads).toBe(3);
  });

  it('answers an old or foreign id at once, and gives up on a fresh one after waitMs', async () => {
    let reads = 0;
    const read = async () => {
      reads++;
      return null;
    };
    expect(await readProjection('0196f0a0-0000-7000-8000-000000000001', read)).toBeNull();
    expect(await readProjection('0196f0a0-0000-4000-8000-000000000001', read)).toBeNull();
    expect(reads).toBe(2);
    expect(await readProjection(uuidv7(), read, { waitMs: 30, pollMs: 5 })).toBeNull();
    expect(reads).toBeGreaterThan(3);
  });

  it('waits as long for another user’s fresh row as for an unknown one when the caller waits for its own', async () => {
    let reads = 0;
    const theirs = async () => {
      reads++;
      return { ownerId: 'someone-else' };
    };
    const row = await readProjection(uuidv7(), theirs, {
      until: (r) => r?.ownerId === 'me',
      waitMs: 30,
      pollMs: 5,
    });
    expect(row).toEqual({ ownerId: 'someone-else' });
    expect(reads).toBeGreaterThan(2);
  });
});
