import type { JarRow } from '../db/schema.ts';

export const DEFAULT_JAR_NAME = 'Income';

export type NewJar = Omit<JarRow, 'createdAt'> & { createdAt: Date };

/** The Income jar every wallet gets when it opens. */
export function defaultJarFor(
  wallet: { walletId: string; ownerId: string },
  deps: { newId: () => string; now: Date },
): NewJar {
  return {
    id: deps.newId(),
    walletId: wallet.walletId,
    ownerId: wallet.ownerId,
    name: DEFAULT_JAR_NAME,
    kind: 'INCOME',
    status: 'ACTIVE',
    isDefault: true,
    createdAt: deps.now,
  };
}
