import type { OperationKind } from '@walletgraph/events';
import { moneyView } from '@walletgraph/platform/money';
import type { OperationRow } from '../db/schema.ts';

/**
 * Which side of an operation the viewer stands on: SOURCE is the owner's own wallet (the one the
 * operation was asked for on); COUNTERPARTY is the recipient's wallet of a transfer.
 */
export type Side = 'SOURCE' | 'COUNTERPARTY';

/** How an operation changes the viewer's wallet's total (`Operation.direction`). */
export type Direction = 'IN' | 'OUT' | 'INTERNAL';

/** An operation as one viewer sees it: the row and the side they stand on (the GraphQL `Operation` parent). */
export interface OperationView {
  row: OperationRow;
  side: Side;
}

/**
 * The recipient of a transfer sees it once it has COMPLETED: before that no money reached them,
 * and a pending or failed transfer is the sender's business alone.
 */
function isRecipient(row: OperationRow, viewerId: string): boolean {
  return row.kind === 'TRANSFER' && row.status === 'COMPLETED' && row.counterpartyOwnerId === viewerId;
}

/**
 * An operation as the viewer may see it, or null (another user's operation is indistinguishable
 * from an unknown one). The owner sees it from the source side, also when they received it too
 * (a transfer between their own wallets); the recipient of a completed transfer from theirs.
 */
export function viewFor(row: OperationRow, viewerId: string | undefined): OperationView | null {
  if (viewerId === undefined) return null;
  if (row.ownerId === viewerId) return { row, side: 'SOURCE' };
  if (isRecipient(row, viewerId)) return { row, side: 'COUNTERPARTY' };
  return null;
}

/** An operation as it shows in one of the viewer's wallets' history: from that wallet's side. */
export function viewOnWallet(row: OperationRow, walletId: string, viewerId: string): OperationView | null {
  if (row.walletId === walletId && row.ownerId === viewerId) return { row, side: 'SOURCE' };
  if (row.counterpartyWalletId === walletId && isRecipient(row, viewerId)) {
    return { row, side: 'COUNTERPARTY' };
  }
  return null;
}

/** The viewer's wallet (`Operation.wallet`). */
export function ownWalletId(view: OperationView): string {
  return view.side === 'SOURCE' ? view.row.walletId : view.row.counterpartyWalletId!;
}

/**
 * The other side of a transfer (`Operation.counterpartyWallet`) once it has COMPLETED, as the
 * recipient sees it only then; null before, after a failure and for anything else. Otherwise a
 * transfer to an email from an empty wallet (answered PENDING with `waitMs: 0`, or FAILED for
 * want of funds) would tell the sender which wallet is that person's default one.
 */
export function counterpartyWalletId(view: OperationView): string | null {
  if (view.row.status !== 'COMPLETED') return null;
  return view.side === 'SOURCE' ? view.row.counterpartyWalletId : view.row.walletId;
}

/**
 * The client's own idempotency key is theirs alone: the recipient of a transfer supplied none,
 * and sees an empty string rather than the sender's (which may carry the sender's meaning).
 */
export function idempotencyKeyFor(view: OperationView): string {
  return view.side === 'SOURCE' ? view.row.idempotencyKey : '';
}

/**
 * Which way money moves for the viewer's wallet. `amount` is always positive; this says the
 * sign: IN raises the wallet's total, OUT lowers it, INTERNAL moves money within the wallet
 * (between its available balance and its jars) and leaves the total as it was.
 */
export function directionOf(view: OperationView): Direction {
  const kind: OperationKind = view.row.kind;
  switch (kind) {
    case 'DEPOSIT':
      return 'IN';
    case 'WITHDRAWAL':
    case 'JAR_SPEND':
    case 'BILL_PAYMENT':
      return 'OUT';
    case 'TRANSFER':
      return view.side === 'SOURCE' ? 'OUT' : 'IN';
    case 'JAR_ALLOCATION':
    case 'JAR_RELEASE':
    case 'JAR_MOVE':
      return 'INTERNAL';
  }
}

/**
 * A bill payment's hold (`Operation.hold`) once the ledger placed it; null before that, for an
 * operation whose hold was refused, and for every other kind.
 */
export function holdOf(row: OperationRow) {
  if (!row.holdStatus || !row.holdExpiresAt) return null;
  return {
    amount: moneyView(row.amountMinor, row.currency),
    status: row.holdStatus,
    expiresAt: row.holdExpiresAt,
  };
}
