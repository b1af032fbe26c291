import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { JarParent } from '../domain/jar.ts';
import type { MoneyView } from '@walletgraph/platform/money';
import type { JarsContext } from '../context.ts';
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

export type AllocationRule = {
  __typename?: 'AllocationRule';
  /** a fixed amount per deposit. */
  fixed?: Maybe<Money>;
  jar: Jar;
  /** Whole percent of each completed deposit, or */
  percent?: Maybe<Scalars['Int']['output']>;
};

export type AllocationRuleInput = {
  fixed?: InputMaybe<MoneyInput>;
  jarId: Scalars['ID']['input'];
  percent?: InputMaybe<Scalars['Int']['input']>;
};

export type Budget = {
  __typename?: 'Budget';
  /**
   * Whether the limit is a hard cap: a spendFromJar that would take the period's spending past it
   * settles FAILED (BUDGET_EXCEEDED) without moving money. When false, spending past the limit is
   * allowed while the jar has money (the budget only raises alerts).
   */
  blocksOverspend: Scalars['Boolean']['output'];
  limit: Money;
  period: BudgetPeriod;
  periodEnd: Scalars['DateTime']['output'];
  periodStart: Scalars['DateTime']['output'];
  /** The limit less what was spent, never below zero. */
  remaining: Money;
  /**
   * Whether money left at the end of a period stays in the jar. When false, the leftover returns to
   * the wallet's available balance after a grace period (3 days).
   */
  rollsOver: Scalars['Boolean']['output'];
  /**
   * Spent from the jar in this period: its spends the ledger has posted (a spend still settling
   * counts once it completes; a jar that blocks overspending already counts it when deciding).
   */
  spent: Money;
  /** Percents that raise a budgetAlert, default [80, 100]. */
  thresholds: Array<Scalars['Int']['output']>;
};

export type BudgetPeriod =
  | 'MONTHLY'
  | 'WEEKLY';

export type CreateJarInput = {
  /**
   * EXPENSE: refuse spends that would take the period's spending past the limit (default false: the
   * budget only raises alerts, and spending past it is allowed while the jar has money).
   */
  blockOverspend?: InputMaybe<Scalars['Boolean']['input']>;
  budgetLimit?: InputMaybe<MoneyInput>;
  budgetPeriod?: InputMaybe<BudgetPeriod>;
  goalDeadline?: InputMaybe<Scalars['DateTime']['input']>;
  goalTarget?: InputMaybe<MoneyInput>;
  kind: JarKind;
  name: Scalars['String']['input'];
  /**
   * EXPENSE: keep the leftover into the next period (default false: it returns to available after
   * the grace period).
   */
  rollsOver?: InputMaybe<Scalars['Boolean']['input']>;
  thresholds?: InputMaybe<Array<Scalars['Int']['input']>>;
  walletId: Scalars['ID']['input'];
};

export type Goal = {
  __typename?: 'Goal';
  achievedAt?: Maybe<Scalars['DateTime']['output']>;
  deadline?: Maybe<Scalars['DateTime']['output']>;
  /** 0..100+, from the ledger balance. */
  progressPercent: Scalars['Float']['output'];
  target: Money;
};

/** Money set aside inside a wallet. Its balance comes from the ledger subgraph. */
export type Jar = {
  __typename?: 'Jar';
  /** The jar's balance, from the ledger subgraph; a goal's progress is computed from it. */
  balance: Money;
  /** EXPENSE jars only. */
  budget?: Maybe<Budget>;
  createdAt: Scalars['DateTime']['output'];
  /** For the ledger's balance of a jar whose account is not open yet (@requires); not in the API. */
  currency: Scalars['String']['output'];
  /** SAVINGS jars only. */
  goal?: Maybe<Goal>;
  id: Scalars['ID']['output'];
  kind: JarKind;
  name: Scalars['String']['output'];
  ownerId: Scalars['ID']['output'];
  status: JarStatus;
  wallet: Wallet;
};

export type JarKind =
  | 'EXPENSE'
  | 'INCOME'
  | 'SAVINGS';

export type JarStatus =
  | 'ACTIVE'
  | 'ARCHIVED';

export type Money = {
  __typename?: 'Money';
  amount: Scalars['Decimal']['output'];
  /** ISO 4217 code. */
  currency: Scalars['String']['output'];
  /** Integer minor units as a string (may exceed 2^53). */
  minorUnits: Scalars['String']['output'];
};

export type MoneyInput = {
  amount: Scalars['Decimal']['input'];
  currency: Scalars['String']['input'];
};

export type Mutation = {
  __typename?: 'Mutation';
  /**
   * Archives a jar: its remaining balance returns to the wallet's available balance in the same
   * ledger step, and it accepts no more moves. The wallet's Income jar cannot be archived. Archiving
   * an archived jar returns it unchanged.
   */
  archiveJar: Jar;
  /** A new EXPENSE (with a budget) or SAVINGS (with a goal) jar in one of the caller's wallets. */
  createJar: Jar;
  /**
   * Replaces the wallet's allocation rules: every completed deposit is split into the jars by
   * percent (rounded down) or fixed amount, in one ledger entry; the rest stays available.
   * An empty list clears them.
   */
  setAllocationRules: Array<AllocationRule>;
  updateJarGoal: Jar;
};


export type MutationArchiveJarArgs = {
  id: Scalars['ID']['input'];
};


export type MutationCreateJarArgs = {
  input: CreateJarInput;
};


export type MutationSetAllocationRulesArgs = {
  rules: Array<AllocationRuleInput>;
  walletId: Scalars['ID']['input'];
};


export type MutationUpdateJarGoalArgs = {
  input: UpdateJarGoalInput;
};

export type Query = {
  __typename?: 'Query';
  /** One of the caller's jars; null for an unknown id or another user's jar. */
  jar?: Maybe<Jar>;
};


export type QueryJarArgs = {
  id: Scalars['ID']['input'];
};

/**
 * A new goal for a SAVINGS jar. Changing the goal re-arms it: reaching the new target announces
 * goalAchieved again.
 */
export type UpdateJarGoalInput = {
  deadline?: InputMaybe<Scalars['DateTime']['input']>;
  jarId: Scalars['ID']['input'];
  target: MoneyInput;
};

export type Wallet = {
  __typename?: 'Wallet';
  allocationRules: Array<AllocationRule>;
  id: Scalars['ID']['output'];
  jars: Array<Jar>;
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
  Jar: Jar;
  Wallet: Wallet;
};

/** Mapping of federation reference types */
export type FederationReferenceTypes = {
  Jar:
    ( { __typename: 'Jar' }
    & GraphQLRecursivePick<FederationTypes['Jar'], {"id":true}>
    & ( Record<PropertyKey, never>
        | GraphQLRecursivePick<FederationTypes['Jar'], {"balance":{"minorUnits":true}}> ) );
  Wallet:
    ( { __typename: 'Wallet' }
    & GraphQLRecursivePick<FederationTypes['Wallet'], {"id":true}> );
};



/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = {
  AllocationRule: ResolverTypeWrapper<Omit<AllocationRule, 'fixed' | 'jar'> & { fixed?: Maybe<ResolversTypes['Money']>, jar: ResolversTypes['Jar'] }>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  AllocationRuleInput: AllocationRuleInput;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  Budget: ResolverTypeWrapper<Omit<Budget, 'limit' | 'remaining' | 'spent'> & { limit: ResolversTypes['Money'], remaining: ResolversTypes['Money'], spent: ResolversTypes['Money'] }>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  BudgetPeriod: BudgetPeriod;
  CreateJarInput: CreateJarInput;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  Decimal: ResolverTypeWrapper<Scalars['Decimal']['output']>;
  Goal: ResolverTypeWrapper<Omit<Goal, 'target'> & { target: ResolversTypes['Money'] }>;
  Float: ResolverTypeWrapper<Scalars['Float']['output']>;
  Jar: ResolverTypeWrapper<JarParent>;
  JarKind: JarKind;
  JarStatus: JarStatus;
  Money: ResolverTypeWrapper<MoneyView>;
  MoneyInput: MoneyInput;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  UpdateJarGoalInput: UpdateJarGoalInput;
  Wallet: ResolverTypeWrapper<FederationReferenceTypes['Wallet']>;
};

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = {
  AllocationRule: Omit<AllocationRule, 'fixed' | 'jar'> & { fixed?: Maybe<ResolversParentTypes['Money']>, jar: ResolversParentTypes['Jar'] };
  Int: Scalars['Int']['output'];
  AllocationRuleInput: AllocationRuleInput;
  ID: Scalars['ID']['output'];
  Budget: Omit<Budget, 'limit' | 'remaining' | 'spent'> & { limit: ResolversParentTypes['Money'], remaining: ResolversParentTypes['Money'], spent: ResolversParentTypes['Money'] };
  Boolean: Scalars['Boolean']['output'];
  CreateJarInput: CreateJarInput;
  String: Scalars['String']['output'];
  DateTime: Scalars['DateTime']['output'];
  Decimal: Scalars['Decimal']['output'];
  Goal: Omit<Goal, 'target'> & { target: ResolversParentTypes['Money'] };
  Float: Scalars['Float']['output'];
  Jar: JarParent;
  Money: MoneyView;
  MoneyInput: MoneyInput;
  Mutation: Record<PropertyKey, never>;
  Query: Record<PropertyKey, never>;
  UpdateJarGoalInput: UpdateJarGoalInput;
  Wallet: FederationReferenceTypes['Wallet'];
};

export type AllocationRuleResolvers<ContextType = JarsContext, ParentType extends ResolversParentTypes['AllocationRule'] = ResolversParentTypes['AllocationRule']> = {
  fixed?: Resolver<Maybe<ResolversTypes['Money']>, ParentType, ContextType>;
  jar?: Resolver<ResolversTypes['Jar'], ParentType, ContextType>;
  percent?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
};

export type BudgetResolvers<ContextType = JarsContext, ParentType extends ResolversParentTypes['Budget'] = ResolversParentTypes['Budget']> = {
  blocksOverspend?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  limit?: Resolver<ResolversTypes['Money'], ParentType, ContextType>;
  period?: Resolver<ResolversTypes['BudgetPeriod'], ParentType, ContextType>;
  periodEnd?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  periodStart?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  remaining?: Resolver<ResolversTypes['Money'], ParentType, ContextType>;
  rollsOver?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  spent?: Resolver<ResolversTypes['Money'], ParentType, ContextType>;
  thresholds?: Resolver<Array<ResolversTypes['Int']>, ParentType, ContextType>;
};

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export interface DecimalScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['Decimal'], any> {
  name: 'Decimal';
}

export type GoalResolvers<ContextType = JarsContext, ParentType extends ResolversParentTypes['Goal'] = ResolversParentTypes['Goal']> = {
  achievedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  deadline?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  progressPercent?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  target?: Resolver<ResolversTypes['Money'], ParentType, ContextType>;
};

export type JarResolvers<ContextType = JarsContext, ParentType extends ResolversParentTypes['Jar'] = ResolversParentTypes['Jar'], FederationReferenceType extends FederationReferenceTypes['Jar'] = FederationReferenceTypes['Jar']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Jar']> | FederationReferenceType, FederationReferenceType, ContextType>;
  budget?: Resolver<Maybe<ResolversTypes['Budget']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  currency?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  goal?: Resolver<Maybe<ResolversTypes['Goal']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  kind?: Resolver<ResolversTypes['JarKind'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  ownerId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['JarStatus'], ParentType, ContextType>;
  wallet?: Resolver<ResolversTypes['Wallet'], ParentType, ContextType>;
};

export type MoneyResolvers<ContextType = JarsContext, ParentType extends ResolversParentTypes['Money'] = ResolversParentTypes['Money']> = {
  amount?: Resolver<ResolversTypes['Decimal'], ParentType, ContextType>;
  currency?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  minorUnits?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type MutationResolvers<ContextType = JarsContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = {
  archiveJar?: Resolver<ResolversTypes['Jar'], ParentType, ContextType, RequireFields<MutationArchiveJarArgs, 'id'>>;
  createJar?: Resolver<ResolversTypes['Jar'], ParentType, ContextType, RequireFields<MutationCreateJarArgs, 'input'>>;
  setAllocationRules?: Resolver<Array<ResolversTypes['AllocationRule']>, ParentType, ContextType, RequireFields<MutationSetAllocationRulesArgs, 'rules' | 'walletId'>>;
  updateJarGoal?: Resolver<ResolversTypes['Jar'], ParentType, ContextType, RequireFields<MutationUpdateJarGoalArgs, 'input'>>;
};

export type QueryResolvers<ContextType = JarsContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = {
  jar?: Resolver<Maybe<ResolversTypes['Jar']>, ParentType, ContextType, RequireFields<QueryJarArgs, 'id'>>;
};

export type WalletResolvers<ContextType = JarsContext, ParentType extends ResolversParentTypes['Wallet'] = ResolversParentTypes['Wallet'], FederationReferenceType extends FederationReferenceTypes['Wallet'] = FederationReferenceTypes['Wallet']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Wallet']> | FederationReferenceType, FederationReferenceType, ContextType>;
  allocationRules?: Resolver<Array<ResolversTypes['AllocationRule']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  jars?: Resolver<Array<ResolversTypes['Jar']>, ParentType, ContextType>;
};

export type Resolvers<ContextType = JarsContext> = {
  AllocationRule?: AllocationRuleResolvers<ContextType>;
  Budget?: BudgetResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  Decimal?: GraphQLScalarType;
  Goal?: GoalResolvers<ContextType>;
  Jar?: JarResolvers<ContextType>;
  Money?: MoneyResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  Wallet?: WalletResolvers<ContextType>;
};

