import { describe, expect, it } from 'vitest';
import { DEFAULT_JAR_NAME, defaultJarFor } from './jar.ts';

describe('jar rules', () => {
  it('gives every new wallet an active Income jar owned by the wallet owner', () => {
    const now = new Date('2026-11-22T10:00:00Z');
    const jar = defaultJarFor({ walletId: 'w1', ownerId: 'u1' }, { newId: () => 'j1', now });
    expect(jar).toEqual({
      id: 'j1',
      walletId: 'w1',
      ownerId: 'u1',
      name: DEFAULT_JAR_NAME,
      kind: 'INCOME',
      status: 'ACTIVE',
      isDefault: true,
      createdAt: now,
    });
  });
});
