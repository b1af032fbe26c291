import { type EventData, ledgerAccount } from '@walletgraph/events';
import { DomainError } from '@walletgraph/platform/errors';
import type { OperationRow, WalletProjectionRow } from '../db/schema.ts';
import type { BudgetCheck } from './budget.ts';
import { isJarRequest, type OperationRequest, sourceField, type WalletRequest } from './requests.ts';

/** What the rules need to know of a wallet (the `wallet_projection` row). */
export type WalletState = Pick<
  WalletProjectionRow,
  'walletId' | 'ownerId' | 'currency' | 'status' | 'isDefault'
>;

/** Why a transfer cannot even be attempted: it is created FAILED, and no ledger command is sent. */
export type RecipientFailure = 'RECIPIENT_NOT_FOUND' | 'CURRENCY_MISMATCH' | 'WALLET_ARCHIVED';

export type RecipientCheck = { ok: true; wallet: WalletState } | { ok: false; failureCode: RecipientFailure };

/**
 * Who and what an authorised request moves money between, besides the ledger's external accounts.
 */
export interface OperationParties {
  /** The caller's wallet the operation is on: the one the request names, or its jars' wallet. */
  source: Pick<WalletState, 'walletId' | 'ownerId'>;
  /** A transfer's recipient, as checked; null for anything else. */
  recipient: RecipientCheck | null;
  /** A jar move's jar: allocated to, released or spent from, or moved from; null for anything else. */
  jarId: string | null;
  /** The jar a JAR_MOVE moves to; null for anything else. */
  counterpartyJarId: string | null;
}

/** The command for the ledger (`ledger.post.v1`). */
export type LedgerPost = EventData<'ledger.post.v1'>;

/**
 * What a request becomes: the operation row to insert (every column: it is the row as stored)
 * and, unless it failed up front, its ledger command.
 */
export interface OperationDecision {
  operation: OperationRow;
  ledgerPost: LedgerPost | null;
}

/**
 * The caller may move money only in their own, active wallet, in its currency. Another user's
 * wallet answers exactly as an unknown one (NOT_FOUND), before its status or currency can tell
 * anything about it.
 */
export function authorizeSource(
  request: Pick<WalletRequest, 'amount'> & { kind: WalletRequest['kind'] | 'BILL_PAYMENT' },
  wallet: WalletState | null,
  viewerId: string,
): WalletState {
  const field = sourceField(request.kind);
  if (!wallet || wallet.ownerId !== viewerId) {
    throw new DomainError('NOT_FOUND', `${field}: wallet not found`, { field });
  }
  if (wallet.status !== 'ACTIVE') {
    throw new DomainError('WALLET_ARCHIVED', `${field}: the wallet is archived and accepts no operations`, {
      field,
    });
  }
  if (wallet.currency !== request.amount.currency) {
    throw new DomainError(
      'CURRENCY_MISMATCH',
      `input.amount.currency: the wallet holds ${wallet.currency}, not ${request.amount.currency}`,
      { field: 'input.amount.currency' },
    );
  }
  return wallet;
}

/**
 * Whether a transfer's recipient can receive it. `candidate` is the wallet the recipient names:
 * by id, that wallet; by email, that user's default wallet. By id, a wallet in another currency
 * or archived fails with that reason (the sender named the wallet and may learn why). By email,
 * only an active default wallet in the transfer's currency receives, and anything else is
 * RECIPIENT_NOT_FOUND, which tells the sender nothing more about the user's wallets. A recipient
 * that resolves to the source wallet itself is a client mistake.
 */
export function checkRecipient(
  request: WalletRequest & { kind: 'TRANSFER' },
  source: WalletState,
  candidate: WalletState | null,
): RecipientCheck {
  if (candidate?.walletId === source.walletId) {
    const field = request.to.by === 'email' ? 'input.toEmail' : 'input.toWalletId';
    throw new DomainError('BAD_USER_INPUT', `${field}: cannot transfer to the same wallet`, { field });
  }
  if (!candidate) return { ok: false, failureCode: 'RECIPIENT_NOT_FOUND' };
  const usable = candidate.status === 'ACTIVE' && candidate.currency === source.currency;
  if (request.to.by === 'email') {
    return usable && candidate.isDefault
      ? { ok: true, wallet: candidate }
      : { ok: false, failureCode: 'RECIPIENT_NOT_FOUND' };
  }
  if (candidate.currency !== source.currency) return { ok: false, failureCode: 'CURRENCY_MISMATCH' };
  if (candidate.status !== 'ACTIVE') return { ok: false, failureCode: 'WALLET_ARCHIVED' };
  return { ok: true, wallet: candidate };
}

/**
 * Decides the operation a validated, authorised request creates: PENDING with the ledger
 * command that moves the money, or FAILED at once with its failure code and no command (a
 * transfer whose recipient cannot receive; a spend past a budget that blocks overspending), so
 * retrying the key returns that same failure. `budget` is the check of a spend from a jar whose
 * budget blocks overspending; absent or null when no budget applies.
 */
export function decideOperation(
  request: OperationRequest,
  state: OperationParties & { requestHash: string; budget?: BudgetCheck | null },
  deps: { newId: () => string; now: Date },
): OperationDecision {
  const id = deps.newId();
  const { source, recipient, budget } = state;
  const counterparty = recipient?.ok ? recipient.wallet : null;
  const failureCode =
    (recipient && !recipient.ok ? recipient.failureCode : null) ??
    (budget && !budget.ok ? budget.failureCode : null);
  const operation = {
    id,
    ownerId: source.ownerId,
    walletId: source.walletId,
    kind: request.kind,
    status: failureCode ? ('FAILED' as const) : ('PENDING' as const),
    failureCode,
    amountMinor: request.amount.minor,
    currency: request.amount.currency,
    counterpartyWalletId: counterparty?.walletId ?? null,
    counterpartyOwnerId: counterparty?.ownerId ?? null,
    jarId: state.jarId,
    counterpartyJarId: state.counterpartyJarId,
    note: isJarRequest(request) ? null : request.note,
    idempotencyKey: request.idempotencyKey,
    requestHash: state.requestHash,
    ledgerEntryId: null,
    billerId: null,
    billReference: null,
    holdStatus: null,
    holdExpiresAt: null,
    receipt: null,
    scheduleId: request.scheduleId ?? null,
    createdAt: deps.now,
    settledAt: failureCode ? deps.now : null,
  };
  return { operation, ledgerPost: failureCode ? null : ledgerPostFor(operation) };
}

/**
 * The retry of an idempotency key: the same request gets the operation (or schedule) the key
 * already made; a different one is refused and moves nothing.
 */
export function replayOf<Row extends { requestHash: string }>(existing: Row, requestHash: string): Row {
  if (existing.requestHash !== requestHash) {
    throw new DomainError(
      'IDEMPOTENCY_KEY_REUSED',
      'input.idempotencyKey: this key was already used for a different request',
      { field: 'input.idempotencyKey' },
    );
  }
  return existing;
}

/**
 * The postings that carry out an operation, as the ledger command (signed minor units, summing
 * to zero): a deposit comes from the external deposits account, a withdrawal goes to the
 * external withdrawals account, a transfer moves between the two wallets' available balances
 * (money in jars is not spendable this way). Jar moves (docs/architecture.md §6): an allocation goes
 * from available to the jar, a release back, a move from jar to jar, a spend from the jar to the
 * external withdrawals account. The ledger refuses to take any non-external account below zero
 * (INSUFFICIENT_FUNDS). The key `op:<id>` makes the ledger apply it once however often it is
 * delivered.
 */
export function ledgerPostFor(
  operation: Pick<
    OperationRow,
    | 'id'
    | 'kind'
    | 'walletId'
    | 'amountMinor'
    | 'currency'
    | 'counterpartyWalletId'
    | 'jarId'
    | 'counterpartyJarId'
  >,
): LedgerPost {
  const { id, walletId, currency } = operation;
  const amount = operation.amountMinor.toString();
  const debit = `-${amount}`;
  const posting = (account: string, signed: string) => ({ account, amount: signed, currency });
  const command = (description: string, postings: LedgerPost['postings']): LedgerPost => ({
    idempotencyKey: `op:${id}`,
    operationId: id,
    description,
    postings,
  });
  switch (operation.kind) {
    case 'DEPOSIT':
      return command('Deposit', [
        posting(ledgerAccount.external('deposits', currency), debit),
        posting(ledgerAccount.walletAvailable(walletId), amount),
      ]);
    case 'WITHDRAWAL':
      return command('Withdrawal', [
        posting(ledgerAccount.walletAvailable(walletId), debit),
        posting(ledgerAccount.external('withdrawals', currency), amount),
      ]);
    case 'TRANSFER':
      if (!operation.counterpartyWalletId) throw new Error(`transfer ${id} has no recipient wallet`);
      return command('Transfer', [
        posting(ledgerAccount.walletAvailable(walletId), debit),
        posting(ledgerAccount.walletAvailable(operation.counterpartyWalletId), amount),
      ]);
    case 'JAR_ALLOCATION':
      return command('Jar allocation', [
        posting(ledgerAccount.walletAvailable(walletId), debit),
        posting(ledgerAccount.jar(jarOf(operation)), amount),
      ]);
    case 'JAR_RELEASE':
      return command('Jar release', [
        posting(ledgerAccount.jar(jarOf(operation)), debit),
        posting(ledgerAccount.walletAvailable(walletId), amount),
      ]);
    case 'JAR_MOVE':
      if (!operation.counterpartyJarId) throw new Error(`jar move ${id} has no target jar`);
      return command('Move between jars', [
        posting(ledgerAccount.jar(jarOf(operation)), debit),
        posting(ledgerAccount.jar(operation.counterpartyJarId), amount),
      ]);
    case 'JAR_SPEND':
      return command('Jar spend', [
        posting(ledgerAccount.jar(jarOf(operation)), debit),
        posting(ledgerAccount.external('withdrawals', currency), amount),
      ]);
    case 'BILL_PAYMENT':
      // Bill payments add their rule (a hold, then capture or release); nothing creates them yet.
      throw new Error(`operation kind ${operation.kind} has no posting rule yet`);
  }
}

function jarOf(operation: Pick<OperationRow, 'id' | 'kind' | 'jarId'>): string {
  if (!operation.jarId) throw new Error(`${operation.kind} ${operation.id} has no jar`);
  return operation.jarId;
}
