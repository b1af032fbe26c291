/** The scheduled-payment documents the tests send, and a `SchedulePaymentInput` to start from. */

export const SCHEDULE_FIELDS = /* GraphQL */ `
  id kind status frequency startsAt endsAt dayOfMonth nextRunAt consecutiveFailures
  amount { amount currency }
  wallet { id } jar { id } toWallet { id } biller { id }
  billReference note createdAt
  runs(first: 100) { edges { node { id status failureCode idempotencyKey } } pageInfo { hasNextPage endCursor } }
`;

export const SCHEDULE = /* GraphQL */ `
  mutation Schedule($input: SchedulePaymentInput!) { schedulePayment(input: $input) { ${SCHEDULE_FIELDS} } }
`;

export const SCHEDULED_PAYMENT = /* GraphQL */ `
  query ScheduledPayment($id: ID!) { scheduledPayment(id: $id) { ${SCHEDULE_FIELDS} } }
`;

/** `pauseSchedule`, `resumeSchedule` or `cancelSchedule`. */
export const TRANSITION = (mutation: 'pauseSchedule' | 'resumeSchedule' | 'cancelSchedule') => /* GraphQL */ `
  mutation Transition($id: ID!) { ${mutation}(id: $id) { id status nextRunAt consecutiveFailures } }
`;

/** `Wallet.scheduledPayments` as the gateway asks for it: through a federation reference. */
export const WALLET_SCHEDULES = /* GraphQL */ `
  query WalletSchedules($r: [_Any!]!) {
    _entities(representations: $r) { ... on Wallet { scheduledPayments { id status } } }
  }
`;

/** A page of a schedule's runs, each with its schedule. */
export const SCHEDULE_RUNS = /* GraphQL */ `
  query ScheduleRuns($id: ID!, $first: Int, $after: String) {
    scheduledPayment(id: $id) {
      runs(first: $first, after: $after) {
        edges { cursor node { id status failureCode idempotencyKey schedule { id } } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`;

/** A weekly transfer of 5 in `currency` from `walletId` to an email; `overrides` replace any field. */
export const scheduleInput = (
  walletId: string,
  overrides: Record<string, unknown> = {},
  currency = 'ZAR',
): Record<string, unknown> => ({
  walletId,
  transfer: { toEmail: 'someone@example.com' },
  amount: { amount: '5.00', currency },
  frequency: 'WEEKLY',
  startsAt: '2030-01-01T09:00:00Z',
  idempotencyKey: `key-${Math.random().toString(36).slice(2)}`,
  ...overrides,
});
