/** Why an external account exists: money from, to or for the world outside the ledger. */
export const externalPurposes = ['deposits', 'withdrawals', 'biller'] as const;
export type ExternalPurpose = (typeof externalPurposes)[number];

/**
 * Ledger account names (ARCHITECTURE.md §4), as `ledger.post.v1` and `ledger.sweep.v1` name the
 * accounts they move money between: the one way every service builds them.
 */
export const ledgerAccount = {
  walletAvailable: (walletId: string) => `wallet:${walletId}:available`,
  jar: (jarId: string) => `jar:${jarId}`,
  hold: (operationId: string) => `hold:${operationId}`,
  external: (purpose: ExternalPurpose, currency: string) => `external:${purpose}:${currency}`,
};

const jarAccount = /^jar:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** The jar id a jar account names, or null for any other account. */
export function jarOfAccount(account: string): string | null {
  return jarAccount.exec(account)?.[1] ?? null;
}
