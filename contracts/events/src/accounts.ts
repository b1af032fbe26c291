/** Why an external account exists: money from, to or for the world outside the ledger. */
export const externalPurposes = ['deposits', 'withdrawals', 'biller'] as const;
export type ExternalPurpose = (typeof externalPurposes)[number];

/**
 * Ledger account names (docs/architecture.md §4), as `ledger.post.v1` and `ledger.sweep.v1` name the
 * accounts they move money between: the one way every service builds them.
 */
export const ledgerAccount = {
  walletAvailable: (walletId: string) => `wallet:${walletId}:available`,
  jar: (jarId: string) => `jar:${jarId}`,
  hold: (operationId: string) => `hold:${operationId}`,
  external: (purpose: ExternalPurpose, currency: string) => `external:${purpose}:${currency}`,
};

/** What a ledger account's name says about it: whose money it holds, or why it exists. */
export type AccountName =
  | { kind: 'wallet'; walletId: string }
  | { kind: 'jar'; jarId: string }
  | { kind: 'hold'; operationId: string }
  | { kind: 'external'; purpose: ExternalPurpose; currency: string };

// Ids in names are the canonical lower-case UUIDs every service stores (and `ledgerAccount` is
// given); currencies are ISO 4217 codes. One pattern, so a name is read the same everywhere.
const uuid = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const accountName = new RegExp(
  `^(?:wallet:(${uuid}):available|jar:(${uuid})|hold:(${uuid})|external:(${externalPurposes.join('|')}):([A-Z]{3}))$`,
);

/** Reads a ledger account name (the inverse of `ledgerAccount`), or null when it names none. */
export function parseAccount(name: string): AccountName | null {
  const match = accountName.exec(name);
  if (!match) return null;
  const [, walletId, jarId, operationId, purpose, currency] = match;
  if (walletId) return { kind: 'wallet', walletId };
  if (jarId) return { kind: 'jar', jarId };
  if (operationId) return { kind: 'hold', operationId };
  return { kind: 'external', purpose: purpose as ExternalPurpose, currency: currency! };
}

/** Whether `name` is a ledger account name of any kind. */
export function isAccountName(name: string): boolean {
  return parseAccount(name) !== null;
}

/** Whether `name` is an external account's: the world outside the ledger, which keeps no balance. */
export function isExternalAccount(name: string): boolean {
  return parseAccount(name)?.kind === 'external';
}

/** Whether `name` is a hold's: money set aside for one operation until it is captured or released. */
export function isHoldAccount(name: string): boolean {
  return parseAccount(name)?.kind === 'hold';
}

/** The jar id a jar account names, or null for any other account. */
export function jarOfAccount(account: string): string | null {
  const name = parseAccount(account);
  return name?.kind === 'jar' ? name.jarId : null;
}
