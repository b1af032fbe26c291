import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { OperationView } from '../domain/view.ts';
import type { MoneyView } from '@walletgraph/platform/money';
import type { ScheduledPaymentRow } from '../db/schema.ts';
import type { TransactionsContext } from '../context.ts';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Omit<T, K extends keyof T> = Pick<T, Exclude<keyof T, K>>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  DateTime: { input: Date | string; output: Date | string; }
  /** A decimal number as a string, e.g. "12.50". */
  Decimal: { input: string; output: string; }
  _FieldSet: { input: unknown; output: unknown; }
};

export type BalanceChange = {
  __typename?: 'BalanceChange';
  delta: Money;
  operation?: Maybe<Operation>;
  wallet: Wallet;
};

/** A reference the biller knows, and whose it is. */
export type BillCustomer = {
  __typename?: 'BillCustomer';
  biller: Biller;
  /** The customer's name as the biller knows the reference. */
  customerName: Scalars['String']['output'];
  reference: Scalars['String']['output'];
};

/** What the biller issued for a payment. */
export type BillReceipt = {
  __typename?: 'BillReceipt';
  /** The biller's own id for the payment. */
  billerReference: Scalars['String']['output'];
  issuedAt: Scalars['DateTime']['output'];
  /** E.g. an electricity vending token (20 digits); null when the biller issues none. */
  token?: Maybe<Scalars['String']['output']>;
  /** E.g. "12.5 kWh"; null when the biller sells no units. */
  units?: Maybe<Scalars['String']['output']>;
};

/** A company a bill can be paid to. */
export type Biller = {
  __typename?: 'Biller';
  category: BillerCategory;
  /** The currency the biller is paid in. */
  currency: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  /** What the customer must give, e.g. "Meter number". */
  referenceLabel: Scalars['String']['output'];
  /** A regular expression a reference must match. */
  referencePattern: Scalars['String']['output'];
};

export type BillerCategory =
  | 'AIRTIME'
  | 'ELECTRICITY'
  | 'INTERNET'
  | 'TV'
  | 'WATER';

export type BudgetAlert = {
  __typename?: 'BudgetAlert';
  jar: Jar;
  limit: Money;
  spent: Money;
  thresholdPercent: Scalars['Int']['output'];
};

export type DepositInput = {
  amount: MoneyInput;
  idempotencyKey: Scalars['String']['input'];
  note?: InputMaybe<Scalars['String']['input']>;
  walletId: Scalars['ID']['input'];
};

export type GoalAchievement = {
  __typename?: 'GoalAchievement';
  achievedAt: Scalars['DateTime']['output'];
  jar: Jar;
};

/**
 * Money set aside for a bill payment while the biller answers. An open hold is never resolved by
 * guessing: once past `expiresAt` the biller is asked whether the payment happened.
 */
export type Hold = {
  __typename?: 'Hold';
  amount: Money;
  expiresAt: Scalars['DateTime']['output'];
  status: HoldStatus;
};

export type HoldStatus =
  /** The biller was paid: the money left for the biller. */
  | 'CAPTURED'
  /** The money is set aside; the biller has not answered yet. */
  | 'OPEN'
  /** The biller refused or could not be reached before anything was charged: the money went back. */
  | 'RELEASED';

export type Jar = {
  __typename?: 'Jar';
  id: Scalars['ID']['output'];
};

export type JarMoveInput = {
  amount: MoneyInput;
  idempotencyKey: Scalars['String']['input'];
  jarId: Scalars['ID']['input'];
};

export type Money = {
  __typename?: 'Money';
  amount: Scalars['Decimal']['output'];
  currency: Scalars['String']['output'];
  minorUnits: Scalars['String']['output'];
};

export type MoneyInput = {
  amount: Scalars['Decimal']['input'];
  currency: Scalars['String']['input'];
};

export type MoveBetweenJarsInput = {
  amount: MoneyInput;
  fromJarId: Scalars['ID']['input'];
  idempotencyKey: Scalars['String']['input'];
  toJarId: Scalars['ID']['input'];
};

export type Mutation = {
  __typename?: 'Mutation';
  allocateToJar: Operation;
  /**
   * Ends an ACTIVE or PAUSED schedule for good; runs already made stay. SCHEDULE_ENDED when it is
   * CANCELLED or FINISHED already.
   */
  cancelSchedule: ScheduledPayment;
  /**
   * Money in from outside, into one of the caller's active wallets, in its currency.
   *
   * Every money operation creates an Operation, or returns the one its `idempotencyKey` already
   * made when the request is the same (IDEMPOTENCY_KEY_REUSED when it is not), then waits up to
   * `waitMs` (0 to 10000) for it to settle: COMPLETED, FAILED with a failureCode, or still PENDING
   * (follow `operationUpdated` or `operation(id)`).
   */
  deposit: Operation;
  moveBetweenJars: Operation;
  /**
   * Stops an ACTIVE schedule from running until it is resumed; SCHEDULE_NOT_ACTIVE otherwise.
   * Another user's schedule is NOT_FOUND, as for every transition.
   */
  pauseSchedule: ScheduledPayment;
  /**
   * Pays a bill from the wallet's available balance or from a jar. The amount is first held
   * (`hold`, announced by `operationUpdated`), then the biller is paid: COMPLETED with a `receipt`,
   * or FAILED with the hold released (BILLER_REJECTED, INVALID_REFERENCE, BILLER_UNAVAILABLE,
   * INSUFFICIENT_FUNDS, BUDGET_EXCEEDED, ...). A biller slow to answer leaves it PENDING until it does.
   */
  payBill: Operation;
  releaseFromJar: Operation;
  /**
   * Starts a PAUSED schedule again, from its first run date not before now (runs missed while
   * paused are not made), with its failures forgotten; FINISHED when none is left.
   * SCHEDULE_NOT_PAUSED unless PAUSED.
   */
  resumeSchedule: ScheduledPayment;
  /**
   * Schedules a transfer or a bill payment, once or recurring, from the caller's own active wallet
   * (NOT_FOUND for anyone else's, as for an unknown one; WALLET_ARCHIVED; CURRENCY_MISMATCH). A
   * bill's biller must be in the catalog (NOT_FOUND) and the reference match its pattern
   * (INVALID_REFERENCE). The same idempotencyKey returns the same schedule (IDEMPOTENCY_KEY_REUSED
   * for another request).
   */
  schedulePayment: ScheduledPayment;
  /**
   * Money out of a jar to the outside. From an EXPENSE jar whose budget blocks overspending, a spend
   * that would take the current period's spending (its COMPLETED and PENDING spends) past the limit
   * settles FAILED (BUDGET_EXCEEDED) without moving anything; spending exactly up to the limit is
   * allowed. Any other budget only raises alerts.
   */
  spendFromJar: Operation;
  /**
   * From the caller's wallet's available balance to another wallet, named by id or by its owner's
   * email (their default wallet, which must be in the same currency). A recipient that cannot be
   * found settles FAILED (RECIPIENT_NOT_FOUND) without moving anything.
   */
  transfer: Operation;
  /** Money out of the wallet's available balance; more than is available settles FAILED (INSUFFICIENT_FUNDS). */
  withdraw: Operation;
};


export type MutationAllocateToJarArgs = {
  input: JarMoveInput;
  waitMs?: InputMaybe<Scalars['Int']['input']>;
};


export type MutationCancelScheduleArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDepositArgs = {
  input: DepositInput;
  waitMs?: InputMaybe<Scalars['Int']['input']>;
};


export type MutationMoveBetweenJarsArgs = {
  input: MoveBetweenJarsInput;
  waitMs?: InputMaybe<Scalars['Int']['input']>;
};


export type MutationPauseScheduleArgs = {
  id: Scalars['ID']['input'];
};


export type MutationPayBillArgs = {
  input: PayBillInput;
  waitMs?: InputMaybe<Scalars['Int']['input']>;
};


export type MutationReleaseFromJarArgs = {
  input: JarMoveInput;
  waitMs?: InputMaybe<Scalars['Int']['input']>;
};


export type MutationResumeScheduleArgs = {
  id: Scalars['ID']['input'];
};


export type MutationSchedulePaymentArgs = {
  input: SchedulePaymentInput;
};


export type MutationSpendFromJarArgs = {
  input: JarMoveInput;
  waitMs?: InputMaybe<Scalars['Int']['input']>;
};


export type MutationTransferArgs = {
  input: TransferInput;
  waitMs?: InputMaybe<Scalars['Int']['input']>;
};


export type MutationWithdrawArgs = {
  input: WithdrawInput;
  waitMs?: InputMaybe<Scalars['Int']['input']>;
};

/**
 * A money movement a user asked for, and how it settled. A transfer is one operation seen from two
 * sides: the sender sees it from their wallet (direction OUT), the recipient, once it has
 * COMPLETED, from theirs (direction IN).
 */
export type Operation = {
  __typename?: 'Operation';
  /**
   * The amount moved, always positive (as requested); `direction` says which way it moved for
   * the caller's wallet. A ledger entry's amount, by contrast, is signed.
   */
  amount: Money;
  /** BILL_PAYMENT: the customer's reference at the biller, e.g. a meter number. */
  billReference?: Maybe<Scalars['String']['output']>;
  /** BILL_PAYMENT: who is paid (null if the biller has left the catalog since). */
  biller?: Maybe<Biller>;
  /** Transfer: the other side's wallet (another user's wallet shows only its id); null otherwise. */
  counterpartyWallet?: Maybe<Wallet>;
  createdAt: Scalars['DateTime']['output'];
  /** IN, OUT or INTERNAL for the caller's wallet: the sign of `amount`. */
  direction: OperationDirection;
  /**
   * Why a FAILED operation failed: INSUFFICIENT_FUNDS, WALLET_ARCHIVED, RECIPIENT_NOT_FOUND,
   * CURRENCY_MISMATCH, ACCOUNT_NOT_FOUND, BUDGET_EXCEEDED, ... Null unless FAILED.
   */
  failureCode?: Maybe<Scalars['String']['output']>;
  /**
   * BILL_PAYMENT: the money set aside while the biller answers. Null until the ledger has placed it
   * (or when it could not be: the operation then FAILED, e.g. INSUFFICIENT_FUNDS).
   */
  hold?: Maybe<Hold>;
  id: Scalars['ID']['output'];
  /** The key the caller made the operation with; empty for a transfer's recipient, who supplied none. */
  idempotencyKey: Scalars['String']['output'];
  kind: OperationKind;
  /** The sender's note; a transfer's recipient sees it too. */
  note?: Maybe<Scalars['String']['output']>;
  /** BILL_PAYMENT, once COMPLETED: what the biller issued. Its owner's only. */
  receipt?: Maybe<BillReceipt>;
  /** The schedule that made this operation, if any. Its owner's only. */
  schedule?: Maybe<ScheduledPayment>;
  settledAt?: Maybe<Scalars['DateTime']['output']>;
  status: OperationStatus;
  /** The caller's wallet: the sender's for the sender of a transfer, the recipient's for its recipient. */
  wallet: Wallet;
};

export type OperationConnection = {
  __typename?: 'OperationConnection';
  edges: Array<OperationEdge>;
  pageInfo: PageInfo;
};

/**
 * How an operation changes the viewer's wallet's total. `Operation.amount` is always positive;
 * this is its sign.
 */
export type OperationDirection =
  /** Money came into the wallet: a deposit, a transfer received. */
  | 'IN'
  /** Money moved within the wallet, between its available balance and its jars; the total is unchanged. */
  | 'INTERNAL'
  /** Money left the wallet: a withdrawal, a transfer sent, a jar spend, a bill payment. */
  | 'OUT';

export type OperationEdge = {
  __typename?: 'OperationEdge';
  cursor: Scalars['String']['output'];
  node: Operation;
};

export type OperationKind =
  | 'BILL_PAYMENT'
  | 'DEPOSIT'
  | 'JAR_ALLOCATION'
  | 'JAR_MOVE'
  | 'JAR_RELEASE'
  | 'JAR_SPEND'
  | 'TRANSFER'
  | 'WITHDRAWAL';

export type OperationStatus =
  | 'COMPLETED'
  | 'FAILED'
  | 'PENDING';

export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor?: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
};

export type PayBillInput = {
  amount: MoneyInput;
  billerId: Scalars['ID']['input'];
  idempotencyKey: Scalars['String']['input'];
  jarId?: InputMaybe<Scalars['ID']['input']>;
  note?: InputMaybe<Scalars['String']['input']>;
  reference: Scalars['String']['input'];
  /** One of walletId / jarId. From a jar, an EXPENSE jar's budget counts the payment as a spend. */
  walletId?: InputMaybe<Scalars['ID']['input']>;
};

export type Query = {
  __typename?: 'Query';
  /**
   * The billers the caller can pay, optionally of one category. Read from the biller and kept for
   * a minute: the catalog changes rarely.
   */
  billers: Array<Biller>;
  /**
   * One of the caller's operations, or a transfer the caller received once it has COMPLETED; null
   * for an unknown id or anyone else's operation.
   */
  operation?: Maybe<Operation>;
  /** One of the caller's scheduled payments; null for an unknown id or anyone else's. */
  scheduledPayment?: Maybe<ScheduledPayment>;
  /**
   * Who the biller knows by this reference. INVALID_REFERENCE when the reference does not match
   * the biller's pattern (checked without asking the biller) or the biller does not know it;
   * NOT_FOUND for an unknown biller; BILLER_UNAVAILABLE (with retryAfterSeconds) when the biller
   * cannot be reached.
   */
  validateBillReference: BillCustomer;
};


export type QueryBillersArgs = {
  category?: InputMaybe<BillerCategory>;
};


export type QueryOperationArgs = {
  id: Scalars['ID']['input'];
};


export type QueryScheduledPaymentArgs = {
  id: Scalars['ID']['input'];
};


export type QueryValidateBillReferenceArgs = {
  billerId: Scalars['ID']['input'];
  reference: Scalars['String']['input'];
};

export type ScheduleFrequency =
  | 'MONTHLY'
  | 'ONCE'
  | 'WEEKLY';

export type SchedulePaymentInput = {
  amount: MoneyInput;
  bill?: InputMaybe<ScheduledBillInput>;
  /**
   * MONTHLY: 1..31, clamped to the month's last day; startsAt's day (UTC) when omitted. Ignored
   * for ONCE and WEEKLY.
   */
  dayOfMonth?: InputMaybe<Scalars['Int']['input']>;
  /** No run after this moment (a run at it is made); after startsAt. */
  endsAt?: InputMaybe<Scalars['DateTime']['input']>;
  frequency: ScheduleFrequency;
  idempotencyKey: Scalars['String']['input'];
  jarId?: InputMaybe<Scalars['ID']['input']>;
  note?: InputMaybe<Scalars['String']['input']>;
  /**
   * The first run (ONCE: the only one); WEEKLY runs every 7 days from it, MONTHLY on `dayOfMonth`
   * at its time of day (UTC), the first such date not before it. Run dates more than 5 minutes
   * before the request are never made; when none is left, BAD_USER_INPUT.
   */
  startsAt: Scalars['DateTime']['input'];
  /** One of transfer / bill. */
  transfer?: InputMaybe<ScheduledTransferInput>;
  /** One of walletId / jarId. Only a bill is paid from a jar (a transfer from a jar is BAD_USER_INPUT). */
  walletId?: InputMaybe<Scalars['ID']['input']>;
};

export type ScheduleStatus =
  /** Runs when due. */
  | 'ACTIVE'
  /** Cancelled by its owner; it never runs again. */
  | 'CANCELLED'
  /** Past its end or its one run: nothing is left to run. */
  | 'FINISHED'
  /** Paused by its owner, or after too many failed runs in a row; resumeSchedule starts it again. */
  | 'PAUSED';

export type ScheduledBillInput = {
  billerId: Scalars['ID']['input'];
  reference: Scalars['String']['input'];
};

/**
 * A transfer or a bill payment made on a schedule. Each run is an ordinary operation (see `runs`)
 * made as the schedule's owner with the idempotency key `schedule:<id>:<run date, ISO 8601>`, so
 * no run is ever made twice. A run settles like any operation (FAILED with its failureCode, e.g.
 * INSUFFICIENT_FUNDS); a run refused outright (the wallet archived since) makes no operation and
 * counts as failed. SCHEDULE_MAX_FAILURES (3) failed runs in a row pause the schedule.
 */
export type ScheduledPayment = {
  __typename?: 'ScheduledPayment';
  amount: Money;
  billReference?: Maybe<Scalars['String']['output']>;
  /** BILL_PAYMENT: who is paid (null if the biller has left the catalog since). */
  biller?: Maybe<Biller>;
  /** Runs that FAILED since the last that COMPLETED. */
  consecutiveFailures: Scalars['Int']['output'];
  createdAt: Scalars['DateTime']['output'];
  /** MONTHLY: the day of the month it runs, clamped to the month's last day; null otherwise. */
  dayOfMonth?: Maybe<Scalars['Int']['output']>;
  endsAt?: Maybe<Scalars['DateTime']['output']>;
  frequency: ScheduleFrequency;
  id: Scalars['ID']['output'];
  /** Paid from this jar instead of the wallet's available balance. */
  jar?: Maybe<Jar>;
  /** TRANSFER or BILL_PAYMENT. */
  kind: OperationKind;
  /**
   * When it runs next (while PAUSED: when it would have; resuming recomputes it); null once it will
   * not run again.
   */
  nextRunAt?: Maybe<Scalars['DateTime']['output']>;
  note?: Maybe<Scalars['String']['output']>;
  /** The operations it made, newest first. `first` is 1 to 100. */
  runs: OperationConnection;
  startsAt: Scalars['DateTime']['output'];
  status: ScheduleStatus;
  /**
   * TRANSFER to a wallet id: the recipient's wallet. Null when addressed by email: each run pays
   * that email's default wallet at the time.
   */
  toWallet?: Maybe<Wallet>;
  wallet: Wallet;
};


/**
 * A transfer or a bill payment made on a schedule. Each run is an ordinary operation (see `runs`)
 * made as the schedule's owner with the idempotency key `schedule:<id>:<run date, ISO 8601>`, so
 * no run is ever made twice. A run settles like any operation (FAILED with its failureCode, e.g.
 * INSUFFICIENT_FUNDS); a run refused outright (the wallet archived since) makes no operation and
 * counts as failed. SCHEDULE_MAX_FAILURES (3) failed runs in a row pause the schedule.
 */
export type ScheduledPaymentRunsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

export type ScheduledTransferInput = {
  toEmail?: InputMaybe<Scalars['String']['input']>;
  /** One of toWalletId / toEmail. */
  toWalletId?: InputMaybe<Scalars['ID']['input']>;
};

/**
 * Served by the gateway over graphql-ws on the same /graphql endpoint: the gateway turns each event into a
 * query against the supergraph, so payloads may select fields from any subgraph.
 *
 * Resumable: every `next` payload carries `extensions.cursor`, the event's position in the
 * subscriber's own feed. Subscribing with `after: <cursor>` first replays the caller's events after
 * it that match the subscription (read through the supergraph as the subscriber, as live ones are),
 * then continues live, with no gap and no duplicate. A cursor older than the retention window
 * (LIVE_FEED_RETENTION_HOURS, LIVE_FEED_RETENTION_EVENTS) is refused with CURSOR_EXPIRED, a cursor that is
 * not the caller's with BAD_USER_INPUT: the client re-reads its state and subscribes without one.
 */
export type Subscription = {
  __typename?: 'Subscription';
  /** Omitted walletId = all of the caller's wallets. */
  balanceChanged: BalanceChange;
  budgetAlert: BudgetAlert;
  goalAchieved: GoalAchievement;
  jarUpdated: Jar;
  operationUpdated: Operation;
};


/**
 * Served by the gateway over graphql-ws on the same /graphql endpoint: the gateway turns each event into a
 * query against the supergraph, so payloads may select fields from any subgraph.
 *
 * Resumable: every `next` payload carries `extensions.cursor`, the event's position in the
 * subscriber's own feed. Subscribing with `after: <cursor>` first replays the caller's events after
 * it that match the subscription (read through the supergraph as the subscriber, as live ones are),
 * then continues live, with no gap and no duplicate. A cursor older than the retention window
 * (LIVE_FEED_RETENTION_HOURS, LIVE_FEED_RETENTION_EVENTS) is refused with CURSOR_EXPIRED, a cursor that is
 * not the caller's with BAD_USER_INPUT: the client re-reads its state and subscribes without one.
 */
export type SubscriptionBalanceChangedArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  walletId?: InputMaybe<Scalars['ID']['input']>;
};


/**
 * Served by the gateway over graphql-ws on the same /graphql endpoint: the gateway turns each event into a
 * query against the supergraph, so payloads may select fields from any subgraph.
 *
 * Resumable: every `next` payload carries `extensions.cursor`, the event's position in the
 * subscriber's own feed. Subscribing with `after: <cursor>` first replays the caller's events after
 * it that match the subscription (read through the supergraph as the subscriber, as live ones are),
 * then continues live, with no gap and no duplicate. A cursor older than the retention window
 * (LIVE_FEED_RETENTION_HOURS, LIVE_FEED_RETENTION_EVENTS) is refused with CURSOR_EXPIRED, a cursor that is
 * not the caller's with BAD_USER_INPUT: the client re-reads its state and subscribes without one.
 */
export type SubscriptionBudgetAlertArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
};


/**
 * Served by the gateway over graphql-ws on the same /graphql endpoint: the gateway turns each event into a
 * query against the supergraph, so payloads may select fields from any subgraph.
 *
 * Resumable: every `next` payload carries `extensions.cursor`, the event's position in the
 * subscriber's own feed. Subscribing with `after: <cursor>` first replays the caller's events after
 * it that match the subscription (read through the supergraph as the subscriber, as live ones are),
 * then continues live, with no gap and no duplicate. A cursor older than the retention window
 * (LIVE_FEED_RETENTION_HOURS, LIVE_FEED_RETENTION_EVENTS) is refused with CURSOR_EXPIRED, a cursor that is
 * not the caller's with BAD_USER_INPUT: the client re-reads its state and subscribes without one.
 */
export type SubscriptionGoalAchievedArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
};


/**
 * Served by the gateway over graphql-ws on the same /graphql endpoint: the gateway turns each event into a
 * query against the supergraph, so payloads may select fields from any subgraph.
 *
 * Resumable: every `next` payload carries `extensions.cursor`, the event's position in the
 * subscriber's own feed. Subscribing with `after: <cursor>` first replays the caller's events after
 * it that match the subscription (read through the supergraph as the subscriber, as live ones are),
 * then continues live, with no gap and no duplicate. A cursor older than the retention window
 * (LIVE_FEED_RETENTION_HOURS, LIVE_FEED_RETENTION_EVENTS) is refused with CURSOR_EXPIRED, a cursor that is
 * not the caller's with BAD_USER_INPUT: the client re-reads its state and subscribes without one.
 */
export type SubscriptionJarUpdatedArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  jarId?: InputMaybe<Scalars['ID']['input']>;
};


/**
 * Served by the gateway over graphql-ws on the same /graphql endpoint: the gateway turns each event into a
 * query against the supergraph, so payloads may select fields from any subgraph.
 *
 * Resumable: every `next` payload carries `extensions.cursor`, the event's position in the
 * subscriber's own feed. Subscribing with `after: <cursor>` first replays the caller's events after
 * it that match the subscription (read through the supergraph as the subscriber, as live ones are),
 * then continues live, with no gap and no duplicate. A cursor older than the retention window
 * (LIVE_FEED_RETENTION_HOURS, LIVE_FEED_RETENTION_EVENTS) is refused with CURSOR_EXPIRED, a cursor that is
 * not the caller's with BAD_USER_INPUT: the client re-reads its state and subscribes without one.
 */
export type SubscriptionOperationUpdatedArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  id?: InputMaybe<Scalars['ID']['input']>;
};

export type TransferInput = {
  amount: MoneyInput;
  fromWalletId: Scalars['ID']['input'];
  idempotencyKey: Scalars['String']['input'];
  note?: InputMaybe<Scalars['String']['input']>;
  toEmail?: InputMaybe<Scalars['String']['input']>;
  /** One of toWalletId / toEmail. */
  toWalletId?: InputMaybe<Scalars['ID']['input']>;
};

export type Wallet = {
  __typename?: 'Wallet';
  id: Scalars['ID']['output'];
  /**
   * The wallet's operations and the transfers it received, newest first, each from this wallet's
   * side. Empty for anyone but the wallet's owner. `first` is 1 to 100.
   */
  operations: OperationConnection;
  /**
   * The wallet's scheduled payments, newest first: the 50 newest (MAX_LISTED_SCHEDULES, the cap the
   * gateway counts in a query's cost). Empty for anyone but the wallet's owner.
   */
  scheduledPayments: Array<ScheduledPayment>;
};


export type WalletOperationsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

export type WithdrawInput = {
  amount: MoneyInput;
  idempotencyKey: Scalars['String']['input'];
  note?: InputMaybe<Scalars['String']['input']>;
  walletId: Scalars['ID']['input'];
};



export type ResolverTypeWrapper<T> = Promise<T> | T;

export type ReferenceResolver<TResult, TReference, TContext> = (
      reference: TReference,
      context: TContext,
      info: GraphQLResolveInfo
    ) => Promise<TResult> | TResult;

      type ScalarCheck<T, S> = S extends true ? T : NullableCheck<T, S>;
      type NullableCheck<T, S> = Maybe<T> extends T ? Maybe<ListCheck<NonNullable<T>, S>> : ListCheck<T, S>;
      type ListCheck<T, S> = T extends (infer U)[] ? NullableCheck<U, S>[] : GraphQLRecursivePick<T, S>;
      export type GraphQLRecursivePick<T, S> = { [K in keyof T & keyof S]: ScalarCheck<T[K], S[K]> };
    

export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

/** Mapping of federation types */
export type FederationTypes = {
  Operation: Operation;
  Wallet: Wallet;
};

/** Mapping of federation reference types */
export type FederationReferenceTypes = {
  Operation:
    ( { __typename: 'Operation' }
    & GraphQLRecursivePick<FederationTypes['Operation'], {"id":true}> );
  Wallet:
    ( { __typename: 'Wallet' }
    & GraphQLRecursivePick<FederationTypes['Wallet'], {"id":true}> );
};



/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = {
  BalanceChange: ResolverTypeWrapper<Omit<BalanceChange, 'delta' | 'operation' | 'wallet'> & { delta: ResolversTypes['Money'], operation?: Maybe<ResolversTypes['Operation']>, wallet: ResolversTypes['Wallet'] }>;
  BillCustomer: ResolverTypeWrapper<BillCustomer>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  BillReceipt: ResolverTypeWrapper<BillReceipt>;
  Biller: ResolverTypeWrapper<Biller>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  BillerCategory: BillerCategory;
  BudgetAlert: ResolverTypeWrapper<Omit<BudgetAlert, 'limit' | 'spent'> & { limit: ResolversTypes['Money'], spent: ResolversTypes['Money'] }>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  Decimal: ResolverTypeWrapper<Scalars['Decimal']['output']>;
  DepositInput: DepositInput;
  GoalAchievement: ResolverTypeWrapper<GoalAchievement>;
  Hold: ResolverTypeWrapper<Omit<Hold, 'amount'> & { amount: ResolversTypes['Money'] }>;
  HoldStatus: HoldStatus;
  Jar: ResolverTypeWrapper<Jar>;
  JarMoveInput: JarMoveInput;
  Money: ResolverTypeWrapper<MoneyView>;
  MoneyInput: MoneyInput;
  MoveBetweenJarsInput: MoveBetweenJarsInput;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Operation: ResolverTypeWrapper<OperationView>;
  OperationConnection: ResolverTypeWrapper<Omit<OperationConnection, 'edges'> & { edges: Array<ResolversTypes['OperationEdge']> }>;
  OperationDirection: OperationDirection;
  OperationEdge: ResolverTypeWrapper<Omit<OperationEdge, 'node'> & { node: ResolversTypes['Operation'] }>;
  OperationKind: OperationKind;
  OperationStatus: OperationStatus;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  PayBillInput: PayBillInput;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  ScheduleFrequency: ScheduleFrequency;
  SchedulePaymentInput: SchedulePaymentInput;
  ScheduleStatus: ScheduleStatus;
  ScheduledBillInput: ScheduledBillInput;
  ScheduledPayment: ResolverTypeWrapper<ScheduledPaymentRow>;
  ScheduledTransferInput: ScheduledTransferInput;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
  TransferInput: TransferInput;
  Wallet: ResolverTypeWrapper<FederationReferenceTypes['Wallet']>;
  WithdrawInput: WithdrawInput;
};

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = {
  BalanceChange: Omit<BalanceChange, 'delta' | 'operation' | 'wallet'> & { delta: ResolversParentTypes['Money'], operation?: Maybe<ResolversParentTypes['Operation']>, wallet: ResolversParentTypes['Wallet'] };
  BillCustomer: BillCustomer;
  String: Scalars['String']['output'];
  BillReceipt: BillReceipt;
  Biller: Biller;
  ID: Scalars['ID']['output'];
  BudgetAlert: Omit<BudgetAlert, 'limit' | 'spent'> & { limit: ResolversParentTypes['Money'], spent: ResolversParentTypes['Money'] };
  Int: Scalars['Int']['output'];
  DateTime: Scalars['DateTime']['output'];
  Decimal: Scalars['Decimal']['output'];
  DepositInput: DepositInput;
  GoalAchievement: GoalAchievement;
  Hold: Omit<Hold, 'amount'> & { amount: ResolversParentTypes['Money'] };
  Jar: Jar;
  JarMoveInput: JarMoveInput;
  Money: MoneyView;
  MoneyInput: MoneyInput;
  MoveBetweenJarsInput: MoveBetweenJarsInput;
  Mutation: Record<PropertyKey, never>;
  Operation: OperationView;
  OperationConnection: Omit<OperationConnection, 'edges'> & { edges: Array<ResolversParentTypes['OperationEdge']> };
  OperationEdge: Omit<OperationEdge, 'node'> & { node: ResolversParentTypes['Operation'] };
  PageInfo: PageInfo;
  Boolean: Scalars['Boolean']['output'];
  PayBillInput: PayBillInput;
  Query: Record<PropertyKey, never>;
  SchedulePaymentInput: SchedulePaymentInput;
  ScheduledBillInput: ScheduledBillInput;
  ScheduledPayment: ScheduledPaymentRow;
  ScheduledTransferInput: ScheduledTransferInput;
  Subscription: Record<PropertyKey, never>;
  TransferInput: TransferInput;
  Wallet: FederationReferenceTypes['Wallet'];
  WithdrawInput: WithdrawInput;
};

export type BalanceChangeResolvers<ContextType = TransactionsContext, ParentType extends ResolversParentTypes['BalanceChange'] = ResolversParentTypes['BalanceChange']> = {
  delta?: Resolver<ResolversTypes['Money'], ParentType, ContextType>;
  operation?: Resolver<Maybe<ResolversTypes['Operation']>, ParentType, ContextType>;
  wallet?: Resolver<ResolversTypes['Wallet'], ParentType, ContextType>;
};

export type BillCustomerResolvers<ContextType = TransactionsContext, ParentType extends ResolversParentTypes['BillCustomer'] = ResolversParentTypes['BillCustomer']> = {
  biller?: Resolver<ResolversTypes['Biller'], ParentType, ContextType>;
  customerName?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  reference?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type BillReceiptResolvers<ContextType = TransactionsContext, ParentType extends ResolversParentTypes['BillReceipt'] = ResolversParentTypes['BillReceipt']> = {
  billerReference?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  issuedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  token?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  units?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
};

export type BillerResolvers<ContextType = TransactionsContext, ParentType extends ResolversParentTypes['Biller'] = ResolversParentTypes['Biller']> = {
  category?: Resolver<ResolversTypes['BillerCategory'], ParentType, ContextType>;
  currency?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  referenceLabel?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  referencePattern?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type BudgetAlertResolvers<ContextType = TransactionsContext, ParentType extends ResolversParentTypes['BudgetAlert'] = ResolversParentTypes['BudgetAlert']> = {
  jar?: Resolver<ResolversTypes['Jar'], ParentType, ContextType>;
  limit?: Resolver<ResolversTypes['Money'], ParentType, ContextType>;
  spent?: Resolver<ResolversTypes['Money'], ParentType, ContextType>;
  thresholdPercent?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export interface DecimalScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['Decimal'], any> {
  name: 'Decimal';
}

export type GoalAchievementResolvers<ContextType = TransactionsContext, ParentType extends ResolversParentTypes['GoalAchievement'] = ResolversParentTypes['GoalAchievement']> = {
  achievedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  jar?: Resolver<ResolversTypes['Jar'], ParentType, ContextType>;
};

export type HoldResolvers<ContextType = TransactionsContext, ParentType extends ResolversParentTypes['Hold'] = ResolversParentTypes['Hold']> = {
  amount?: Resolver<ResolversTypes['Money'], ParentType, ContextType>;
  expiresAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['HoldStatus'], ParentType, ContextType>;
};

export type JarResolvers<ContextType = TransactionsContext, ParentType extends ResolversParentTypes['Jar'] = ResolversParentTypes['Jar']> = {
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
};

export type MoneyResolvers<ContextType = TransactionsContext, ParentType extends ResolversParentTypes['Money'] = ResolversParentTypes['Money']> = {
  amount?: Resolver<ResolversTypes['Decimal'], ParentType, ContextType>;
  currency?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  minorUnits?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type MutationResolvers<ContextType = TransactionsContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = {
  allocateToJar?: Resolver<ResolversTypes['Operation'], ParentType, ContextType, RequireFields<MutationAllocateToJarArgs, 'input' | 'waitMs'>>;
  cancelSchedule?: Resolver<ResolversTypes['ScheduledPayment'], ParentType, ContextType, RequireFields<MutationCancelScheduleArgs, 'id'>>;
  deposit?: Resolver<ResolversTypes['Operation'], ParentType, ContextType, RequireFields<MutationDepositArgs, 'input' | 'waitMs'>>;
  moveBetweenJars?: Resolver<ResolversTypes['Operation'], ParentType, ContextType, RequireFields<MutationMoveBetweenJarsArgs, 'input' | 'waitMs'>>;
  pauseSchedule?: Resolver<ResolversTypes['ScheduledPayment'], ParentType, ContextType, RequireFields<MutationPauseScheduleArgs, 'id'>>;
  payBill?: Resolver<ResolversTypes['Operation'], ParentType, ContextType, RequireFields<MutationPayBillArgs, 'input' | 'waitMs'>>;
  releaseFromJar?: Resolver<ResolversTypes['Operation'], ParentType, ContextType, RequireFields<MutationReleaseFromJarArgs, 'input' | 'waitMs'>>;
  resumeSchedule?: Resolver<ResolversTypes['ScheduledPayment'], ParentType, ContextType, RequireFields<MutationResumeScheduleArgs, 'id'>>;
  schedulePayment?: Resolver<ResolversTypes['ScheduledPayment'], ParentType, ContextType, RequireFields<MutationSchedulePaymentArgs, 'input'>>;
  spendFromJar?: Resolver<ResolversTypes['Operation'], ParentType, ContextType, RequireFields<MutationSpendFromJarArgs, 'input' | 'waitMs'>>;
  transfer?: Resolver<ResolversTypes['Operation'], ParentType, ContextType, RequireFields<MutationTransferArgs, 'input' | 'waitMs'>>;
  withdraw?: Resolver<ResolversTypes['Operation'], ParentType, ContextType, RequireFields<MutationWithdrawArgs, 'input' | 'waitMs'>>;
};

export type OperationResolvers<ContextType = TransactionsContext, ParentType extends ResolversParentTypes['Operation'] = ResolversParentTypes['Operation'], FederationReferenceType extends FederationReferenceTypes['Operation'] = FederationReferenceTypes['Operation']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Operation']> | FederationReferenceType, FederationReferenceType, ContextType>;
  amount?: Resolver<ResolversTypes['Money'], ParentType, ContextType>;
  billReference?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  biller?: Resolver<Maybe<ResolversTypes['Biller']>, ParentType, ContextType>;
  counterpartyWallet?: Resolver<Maybe<ResolversTypes['Wallet']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  direction?: Resolver<ResolversTypes['OperationDirection'], ParentType, ContextType>;
  failureCode?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hold?: Resolver<Maybe<ResolversTypes['Hold']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  idempotencyKey?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  kind?: Resolver<ResolversTypes['OperationKind'], ParentType, ContextType>;
  note?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  receipt?: Resolver<Maybe<ResolversTypes['BillReceipt']>, ParentType, ContextType>;
  schedule?: Resolver<Maybe<ResolversTypes['ScheduledPayment']>, ParentType, ContextType>;
  settledAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['OperationStatus'], ParentType, ContextType>;
  wallet?: Resolver<ResolversTypes['Wallet'], ParentType, ContextType>;
};

export type OperationConnectionResolvers<ContextType = TransactionsContext, ParentType extends ResolversParentTypes['OperationConnection'] = ResolversParentTypes['OperationConnection']> = {
  edges?: Resolver<Array<ResolversTypes['OperationEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type OperationEdgeResolvers<ContextType = TransactionsContext, ParentType extends ResolversParentTypes['OperationEdge'] = ResolversParentTypes['OperationEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Operation'], ParentType, ContextType>;
};

export type PageInfoResolvers<ContextType = TransactionsContext, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = {
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type QueryResolvers<ContextType = TransactionsContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = {
  billers?: Resolver<Array<ResolversTypes['Biller']>, ParentType, ContextType, Partial<QueryBillersArgs>>;
  operation?: Resolver<Maybe<ResolversTypes['Operation']>, ParentType, ContextType, RequireFields<QueryOperationArgs, 'id'>>;
  scheduledPayment?: Resolver<Maybe<ResolversTypes['ScheduledPayment']>, ParentType, ContextType, RequireFields<QueryScheduledPaymentArgs, 'id'>>;
  validateBillReference?: Resolver<ResolversTypes['BillCustomer'], ParentType, ContextType, RequireFields<QueryValidateBillReferenceArgs, 'billerId' | 'reference'>>;
};

export type ScheduledPaymentResolvers<ContextType = TransactionsContext, ParentType extends ResolversParentTypes['ScheduledPayment'] = ResolversParentTypes['ScheduledPayment']> = {
  amount?: Resolver<ResolversTypes['Money'], ParentType, ContextType>;
  billReference?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  biller?: Resolver<Maybe<ResolversTypes['Biller']>, ParentType, ContextType>;
  consecutiveFailures?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  dayOfMonth?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  endsAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  frequency?: Resolver<ResolversTypes['ScheduleFrequency'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  jar?: Resolver<Maybe<ResolversTypes['Jar']>, ParentType, ContextType>;
  kind?: Resolver<ResolversTypes['OperationKind'], ParentType, ContextType>;
  nextRunAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  note?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  runs?: Resolver<ResolversTypes['OperationConnection'], ParentType, ContextType, RequireFields<ScheduledPaymentRunsArgs, 'first'>>;
  startsAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['ScheduleStatus'], ParentType, ContextType>;
  toWallet?: Resolver<Maybe<ResolversTypes['Wallet']>, ParentType, ContextType>;
  wallet?: Resolver<ResolversTypes['Wallet'], ParentType, ContextType>;
};

export type SubscriptionResolvers<ContextType = TransactionsContext, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = {
  balanceChanged?: SubscriptionResolver<ResolversTypes['BalanceChange'], "balanceChanged", ParentType, ContextType, Partial<SubscriptionBalanceChangedArgs>>;
  budgetAlert?: SubscriptionResolver<ResolversTypes['BudgetAlert'], "budgetAlert", ParentType, ContextType, Partial<SubscriptionBudgetAlertArgs>>;
  goalAchieved?: SubscriptionResolver<ResolversTypes['GoalAchievement'], "goalAchieved", ParentType, ContextType, Partial<SubscriptionGoalAchievedArgs>>;
  jarUpdated?: SubscriptionResolver<ResolversTypes['Jar'], "jarUpdated", ParentType, ContextType, Partial<SubscriptionJarUpdatedArgs>>;
  operationUpdated?: SubscriptionResolver<ResolversTypes['Operation'], "operationUpdated", ParentType, ContextType, Partial<SubscriptionOperationUpdatedArgs>>;
};

export type WalletResolvers<ContextType = TransactionsContext, ParentType extends ResolversParentTypes['Wallet'] = ResolversParentTypes['Wallet'], FederationReferenceType extends FederationReferenceTypes['Wallet'] = FederationReferenceTypes['Wallet']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Wallet']> | FederationReferenceType, FederationReferenceType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  operations?: Resolver<ResolversTypes['OperationConnection'], ParentType, ContextType, RequireFields<WalletOperationsArgs, 'first'>>;
  scheduledPayments?: Resolver<Array<ResolversTypes['ScheduledPayment']>, ParentType, ContextType>;
};

export type Resolvers<ContextType = TransactionsContext> = {
  BalanceChange?: BalanceChangeResolvers<ContextType>;
  BillCustomer?: BillCustomerResolvers<ContextType>;
  BillReceipt?: BillReceiptResolvers<ContextType>;
  Biller?: BillerResolvers<ContextType>;
  BudgetAlert?: BudgetAlertResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  Decimal?: GraphQLScalarType;
  GoalAchievement?: GoalAchievementResolvers<ContextType>;
  Hold?: HoldResolvers<ContextType>;
  Jar?: JarResolvers<ContextType>;
  Money?: MoneyResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  Operation?: OperationResolvers<ContextType>;
  OperationConnection?: OperationConnectionResolvers<ContextType>;
  OperationEdge?: OperationEdgeResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  ScheduledPayment?: ScheduledPaymentResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
  Wallet?: WalletResolvers<ContextType>;
};

