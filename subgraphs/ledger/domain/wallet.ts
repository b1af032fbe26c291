/**
 * A wallet as the ledger knows it (the parent of the ledger's `Wallet` fields): resolved only for
 * its owner, in the currency of its available account.
 */
export interface LedgerWallet {
  id: string;
  currency: string;
}
