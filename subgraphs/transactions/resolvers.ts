import { DateTime, Decimal } from '@walletgraph/platform/graphql/scalars';
import { moneyView } from '@walletgraph/platform/money';
import { requestBillPayment } from './bills/bill-requests.ts';
import { billerById, listBillers, validateBillReference } from './bills/bills.ts';
import { counterpartyWalletId, directionOf, holdOf, idempotencyKeyFor, ownWalletId } from './domain/view.ts';
import type { Resolvers } from './generated/resolvers.ts';
import {
  parseBillReference,
  parseDeposit,
  parseJarMove,
  parseMoveBetweenJars,
  parsePageRequest,
  parsePayBill,
  parseTransfer,
  parseWaitMs,
  parseWithdrawal,
} from './inputs.ts';
import { findVisibleOperation, walletOperations } from './operation-reads.ts';
import { requestOperation } from './operation-requests.ts';
import { parseSchedulePayment } from './schedule-inputs.ts';
import { findOwnSchedule, scheduleRuns, walletSchedules } from './schedule-reads.ts';
import { cancelSchedule, pauseSchedule, resumeSchedule, schedulePayment } from './schedules.ts';

const walletRef = (id: string) => ({ __typename: 'Wallet' as const, id });
const jarRef = (id: string) => ({ __typename: 'Jar' as const, id });

/** The GraphQL adapter: each resolver parses its arguments, calls one use case and maps the result. */
export const resolvers: Resolvers = {
  DateTime,
  Decimal,
  Query: {
    operation: (_, args, ctx) => findVisibleOperation(ctx, args.id),
    billers: (_, args, ctx) => listBillers(ctx, args.category ?? null),
    validateBillReference: (_, args, ctx) => validateBillReference(ctx, parseBillReference(args)),
    scheduledPayment: (_, args, ctx) => findOwnSchedule(ctx, args.id),
  },
  Mutation: {
    // waitMs is parsed first: a bad one must not leave an operation behind.
    deposit: (_, args, ctx) => {
      const waitMs = parseWaitMs(args.waitMs);
      return requestOperation(ctx, parseDeposit(args.input), waitMs);
    },
    withdraw: (_, args, ctx) => {
      const waitMs = parseWaitMs(args.waitMs);
      return requestOperation(ctx, parseWithdrawal(args.input), waitMs);
    },
    transfer: (_, args, ctx) => {
      const waitMs = parseWaitMs(args.waitMs);
      return requestOperation(ctx, parseTransfer(args.input), waitMs);
    },
    allocateToJar: (_, args, ctx) => {
      const waitMs = parseWaitMs(args.waitMs);
      return requestOperation(ctx, parseJarMove('JAR_ALLOCATION', args.input), waitMs);
    },
    releaseFromJar: (_, args, ctx) => {
      const waitMs = parseWaitMs(args.waitMs);
      return requestOperation(ctx, parseJarMove('JAR_RELEASE', args.input), waitMs);
    },
    moveBetweenJars: (_, args, ctx) => {
      const waitMs = parseWaitMs(args.waitMs);
      return requestOperation(ctx, parseMoveBetweenJars(args.input), waitMs);
    },
    spendFromJar: (_, args, ctx) => {
      const waitMs = parseWaitMs(args.waitMs);
      return requestOperation(ctx, parseJarMove('JAR_SPEND', args.input), waitMs);
    },
    payBill: (_, args, ctx) => {
      const waitMs = parseWaitMs(args.waitMs);
      return requestBillPayment(ctx, parsePayBill(args.input), waitMs);
    },
    schedulePayment: (_, args, ctx) => schedulePayment(ctx, parseSchedulePayment(args.input)),
    pauseSchedule: (_, args, ctx) => pauseSchedule(ctx, args.id),
    resumeSchedule: (_, args, ctx) => resumeSchedule(ctx, args.id),
    cancelSchedule: (_, args, ctx) => cancelSchedule(ctx, args.id),
  },
  Operation: {
    __resolveReference: (ref, ctx) => findVisibleOperation(ctx, ref.id),
    id: (op) => op.row.id,
    kind: (op) => op.row.kind,
    status: (op) => op.row.status,
    failureCode: (op) => op.row.failureCode,
    amount: (op) => moneyView(op.row.amountMinor, op.row.currency),
    direction: (op) => directionOf(op),
    wallet: (op) => walletRef(ownWalletId(op)),
    counterpartyWallet: (op) => {
      const id = counterpartyWalletId(op);
      return id ? walletRef(id) : null;
    },
    note: (op) => op.row.note,
    idempotencyKey: (op) => idempotencyKeyFor(op),
    createdAt: (op) => op.row.createdAt,
    settledAt: (op) => op.row.settledAt,
    biller: (op, _, ctx) => billerById(ctx, op.row.billerId),
    billReference: (op) => op.row.billReference,
    hold: (op) => holdOf(op.row),
    receipt: (op) => (op.side === 'SOURCE' && op.row.status === 'COMPLETED' ? op.row.receipt : null),
    // The schedule is its owner's business: a transfer's recipient sees no schedule.
    schedule: (op, _, ctx) => (op.side === 'SOURCE' ? findOwnSchedule(ctx, op.row.scheduleId) : null),
  },
  Wallet: {
    __resolveReference: (ref) => ref,
    operations: (wallet, args, ctx) => walletOperations(ctx, wallet.id, parsePageRequest(args)),
    scheduledPayments: (wallet, _, ctx) => walletSchedules(ctx, wallet.id),
  },
  ScheduledPayment: {
    wallet: (s) => walletRef(s.walletId),
    jar: (s) => (s.jarId ? jarRef(s.jarId) : null),
    amount: (s) => moneyView(s.amountMinor, s.currency),
    toWallet: (s) => (s.toWalletId ? walletRef(s.toWalletId) : null),
    biller: (s, _, ctx) => billerById(ctx, s.billerId),
    runs: (s, args, ctx) => scheduleRuns(ctx, s, parsePageRequest(args)),
  },
};
