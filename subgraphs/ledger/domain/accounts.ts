import { jarOfAccount, ledgerAccount } from '@walletgraph/events';
import type { AccountKind, AccountRow } from '../db/schema.ts';

/** Ledger account names (docs/architecture.md §4), built the one way every service builds them. */
export const accountId = ledgerAccount;

/** The jar id inside a jar account's id. */
export function jarIdOf(account: string): string {
  const jarId = jarOfAccount(account);
  if (jarId === null) throw new Error(`${account} is not a jar account`);
  return jarId;
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
  /** A hold's expiry, from the command that opened it; null for other accounts and holds without one. */
  readonly expiresAt: Date | null;
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
