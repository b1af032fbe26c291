import { badInput } from '@walletgraph/platform/errors';
import { type Currency, parseCurrency } from '@walletgraph/platform/money';
import { parseVisibleText } from '@walletgraph/platform/text';
import { MAX_WALLET_NAME_LENGTH } from './domain/wallet.ts';

/** `OpenWalletInput`, as GraphQL hands it over. */
export interface OpenWalletInputShape {
  name: string;
  currency: string;
}

/** An `openWallet` input checked on its own: a name others may see, and a known currency. */
export function parseOpenWallet(input: OpenWalletInputShape): { name: string; currency: Currency } {
  const name = parseVisibleText(input.name, 'input.name', MAX_WALLET_NAME_LENGTH);
  const currency = parseCurrency(input.currency, 'input.currency');
  return { name, currency };
}

/** Wallets per `User.wallets` page when the client does not say. */
export const DEFAULT_WALLET_PAGE = 50;
/** The most wallets one page may ask for. */
export const MAX_WALLET_PAGE = 100;

/** Validates `User.wallets(first:)`, naming the argument on failure. */
export function walletPageSize(first: number | null | undefined): number {
  const size = first ?? DEFAULT_WALLET_PAGE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_WALLET_PAGE) {
    throw badInput('first', `must be from 1 to ${MAX_WALLET_PAGE}`);
  }
  return size;
}
