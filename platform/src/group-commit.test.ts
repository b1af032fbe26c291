import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { groupCommit } from './group-commit.ts';

/** A commit that records its batch and finishes when the test says so. */
function recorder() {
  const batches: number[][] = [];
  const finish: (() => void)[] = [];
  const commit = (batch: number[]) => {
    batches.push(batch);
    const { promise, resolve } = Promise.withResolvers<void>();
    finish.push(resolve);
    return promise;
  };
  return { batches, finish, commit };
}

describe('groupCommit', () => {
  it('sends a lone item at once, with whatever arrived in the same tick', async () => {
    const r = recorder();
    const g = groupCommit({ size: 10, concurrency: 1, commit: r.commit });
    g.add(1);
    g.add(2);
    await tick();
    expect(r.batches).toEqual([[1, 2]]);
  });

  it('gathers what arrives while a batch commits into the next one, in arrival order', async () => {
    const r = recorder();
    const g = groupCommit({ size: 10, concurrency: 1, commit: r.commit });
    g.add(1);
    await tick();
    for (const i of [2, 3, 4]) g.add(i);
    await tick();
    expect(r.batches).toEqual([[1]]);
    r.finish[0]!();
    await tick();
    expect(r.batches).toEqual([[1], [2, 3, 4]]);
  });

  it('never puts more than `size` items in a batch; the rest go in the next', async () => {
    const r = recorder();
    const g = groupCommit({ size: 3, concurrency: 1, commit: r.commit });
    g.add(0);
    await tick();
    for (let i = 1; i <= 7; i++) g.add(i);
    r.finish[0]!();
    await tick();
    expect(r.batches).toEqual([[0], [1, 2, 3]]);
    r.finish[1]!();
    await tick();
    r.finish[2]!();
    await tick();
    expect(r.batches).toEqual([[0], [1, 2, 3], [4, 5, 6], [7]]);
  });

  it('commits up to `concurrency` batches at once', async () => {
    const r = recorder();
    const g = groupCommit({ size: 2, concurrency: 2, commit: r.commit });
    for (let i = 1; i <= 7; i++) g.add(i);
    await tick();
    expect(r.batches).toEqual([
      [1, 2],
      [3, 4],
    ]);
    r.finish[1]!();
    await tick();
    expect(r.batches).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
  });

  it('with lingerMs, waits that long after the first item instead', async () => {
    const r = recorder();
    const g = groupCommit({ size: 10, concurrency: 4, lingerMs: 30, commit: r.commit });
    g.add(1);
    await tick();
    g.add(2);
    expect(r.batches).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(r.batches).toEqual([[1, 2]]);
  });
});
