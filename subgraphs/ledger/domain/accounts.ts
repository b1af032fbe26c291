import { type ExternalPurpose, externalPurposes, ledgerAccount } from '@walletgraph/events';
import type { AccountKind, AccountRow } from '../db/schema.ts';

export { type ExternalPurpose, externalPurposes };

/** Ledger account names (ARCHITECTURE.md §4), built the one way every service builds them. */
export const accountId = ledgerAccount;

/** What an account's name says about it. */
export type AccountName =
  | { kind: 'WALLET_AVAILABLE'; walletId: string }
  | { kind: 'JAR'; jarId: string }
  | { kind: 'HOLD'; operationId: string }
  | { kind: 'EXTERNAL'; purpose: ExternalPurpose; currency: string };

const uuid = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const patterns = {
  wallet: new RegExp(`^wallet:(${uuid}):available$`),
  jar: new RegExp(`^jar:(${uuid})$`),
  hold: new RegExp(`^hold:(${uuid})$`),
  external: new RegExp(`^external:(${externalPurposes.join('|')}):([A-Z]{3})$`),
};

/** Parses an account name, or null when it names no kind of ledger account. */
export function parseAccountName(id: string): AccountName | null {
  let m = patterns.wallet.exec(id);
  if (m) return { kind: 'WALLET_AVAILABLE', walletId: m[1]! };
  m = patterns.jar.exec(id);
  if (m) return { kind: 'JAR', jarId: m[1]! };
  m = patterns.hold.exec(id);
  if (m) return { kind: 'HOLD', operationId: m[1]! };
  m = patterns.external.exec(id);
  if (m) return { kind: 'EXTERNAL', purpose: m[1] as ExternalPurpose, currency: m[2]! };
  return null;
}

/** External accounts are never locked and keep no balance row (ARCHITECTURE.md §4). */
export function isExternal(id: string): boolean {
  return id.startsWith('external:');
}

/** The jar id inside a jar account's id. */
export function jarIdOf(account: string): string {
  if (!account.startsWith('jar:')) throw new Error(`${account} is not a jar account`);
  return account.slice('jar:'.length);
}

/** An account as the posting rules need it. */
export interface LedgerAccount {
  readonly id: string;
  readonly kind: AccountKind;
  readonly currency: string;
  readonly walletId: string | null;
  readonly ownerId: string | null;
  /** Always 0 for external accounts: their balance is not tracked per entry. */
  readonly balance: bigint;
  readonly closed: boolean;
}

/** Only external accounts may go below zero. */
export function mayGoNegative(kind: AccountKind): boolean {
  return kind === 'EXTERNAL';
}

export interface WalletBalances {
  available: bigint;
  allocated: bigint;
  total: bigint;
}

/** A wallet's balance from its accounts: available + the sum of its jars (total = available + allocated). */
export function walletBalances(walletAccounts: Pick<AccountRow, 'kind' | 'balance'>[]): WalletBalances {
  let available = 0n;
  let allocated = 0n;
  for (const account of walletAccounts) {
    switch (account.kind) {
      case 'WALLET_AVAILABLE':
        available += account.balance;
        break;
      case 'JAR':
        allocated += account.balance;
        break;
      case 'HOLD':
      case 'EXTERNAL':
        break;
    }
  }
  return { available, allocated, total: available + allocated };
}
