import { randomBytes, randomUUID } from 'node:crypto';
import { uuidv7 } from '@walletgraph/events';
import { portOf, type SubgraphName, subgraphNames } from '@walletgraph/platform/config';
import { waitFor } from '@walletgraph/platform/test/support/infra';
import postgres from 'postgres';
import type { TestStack } from '../support/stack.ts';

/**
 * Helpers of the security suite: raw GraphQL over HTTP (so an attack can send what no typed
 * client would) and the cast: Alice, the victim with a wallet, a jar and an operation, and
 * Mallory, the attacker with an account of her own. Forged tokens are in tokens.ts.
 */

export const password = 'correct horse battery staple 42';

// ------------------------------------------------------------------------------- raw GraphQL

export interface GraphQLErrorBody {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
}

/** What an endpoint answered, exactly: the HTTP status and the parsed body. */
export interface RawResponse {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: attacks read whatever the operation selected.
  data?: any;
  errors?: GraphQLErrorBody[];
}

export interface PostOptions {
  /** An access token, sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** The raw Authorization header value, sent as is (for malformed values). */
  authorization?: string;
  headers?: Record<string, string>;
}

/** POSTs one GraphQL operation as JSON and returns the status and body; throws only on a non-JSON answer. */
export async function gql(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  options: PostOptions = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json',
    ...options.headers,
  };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.authorization !== undefined) headers.authorization = options.authorization;
  return postRaw(url, JSON.stringify({ query, variables }), headers);
}

/** POSTs a raw body. */
export async function postRaw(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<RawResponse> {
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  let parsed: Omit<RawResponse, 'status'>;
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    throw new Error(`not a GraphQL response (HTTP ${res.status}): ${text.slice(0, 300)}`);
  }
  return { status: res.status, ...parsed };
}

/** The codes of a response's errors, in order. */
export const codes = (res: RawResponse): (string | undefined)[] =>
  (res.errors ?? []).map((e) => e.extensions?.code);

/**
 * A response reduced to what a client could tell apart: status, data, and each error's message,
 * path and code (not the development-mode stack trace, which says nothing about the target).
 */
export function outcome(res: RawResponse) {
  return {
    status: res.status,
    data: res.data,
    errors: res.errors?.map((e) => ({ message: e.message, path: e.path, code: e.extensions?.code })),
  };
}

/** The 401 every refused token gets, from the gateway and from every subgraph alike. */
export const refusedToken = {
  status: 401,
  errors: [{ message: 'authentication required', path: undefined, code: 'UNAUTHENTICATED' }],
};

/** A subgraph's own GraphQL endpoint, bypassing the gateway. */
export function subgraphUrl(stack: TestStack, name: SubgraphName): string {
  return `http://127.0.0.1:${portOf(stack.config, name)}/graphql`;
}

export const endpoints = (stack: TestStack): { name: 'gateway' | SubgraphName; url: string }[] => [
  { name: 'gateway', url: stack.url },
  ...subgraphNames.map((name) => ({ name, url: subgraphUrl(stack, name) })),
];

export const randomUuid = () => randomUUID();

// ------------------------------------------------------------------------------------- cast

export interface Person {
  name: string;
  email: string;
  userId: string;
  accessToken: string;
  refreshToken: string;
}

export interface Victim extends Person {
  walletId: string;
  jarId: string;
  operationId: string;
}

const SESSION_FIELDS = 'accessToken refreshToken accessTokenExpiresAt user { id email displayName }';
export const REGISTER = `mutation Register($input: RegisterInput!) { register(input: $input) { ${SESSION_FIELDS} } }`;
export const LOGIN = `mutation Login($input: LoginInput!) { login(input: $input) { ${SESSION_FIELDS} } }`;
export const REFRESH = `mutation Refresh($t: String!) { refreshSession(refreshToken: $t) { ${SESSION_FIELDS} } }`;

export const newEmail = (name: string) => `${name}.${randomBytes(5).toString('hex')}@example.com`;

/** Registers someone through the gateway. */
export async function register(stack: TestStack, name: string, currency = 'EUR'): Promise<Person> {
  const email = newEmail(name.toLowerCase());
  const res = await gql(stack.url, REGISTER, { input: { email, password, displayName: name, currency } });
  if (res.status !== 200 || res.errors) throw new Error(`register ${name}: ${JSON.stringify(res)}`);
  const session = res.data.register;
  return {
    name,
    email,
    userId: session.user.id,
    accessToken: session.accessToken,
    refreshToken: session.refreshToken,
  };
}

/** Waits for the default wallet and its Income jar, which events create after register. */
export async function provisioned(
  stack: TestStack,
  person: Person,
): Promise<{ walletId: string; jarId: string }> {
  return waitFor(
    `${person.name}'s default wallet and Income jar`,
    async () => {
      const res = await gql(
        stack.url,
        '{ me { defaultWallet { id jars { id kind } balance { total { amount } } } } }',
        {},
        { token: person.accessToken },
      );
      const wallet = res.data?.me?.defaultWallet;
      const jar = wallet?.jars?.find((j: { kind: string }) => j.kind === 'INCOME');
      return !res.errors && wallet && jar
        ? { walletId: wallet.id as string, jarId: jar.id as string }
        : undefined;
    },
    { timeoutMs: 20_000 },
  );
}

/**
 * An operation of Alice's, written straight into the transactions database: access control to an
 * operation is tested apart from moving money (her balances stay zero for the other cases).
 */
export async function insertOperation(stack: TestStack, ownerId: string, walletId: string): Promise<string> {
  const id = uuidv7();
  const sql = postgres(stack.databases.transactions!, { max: 1, onnotice: () => {} });
  try {
    await sql`insert into operations
      (id, owner_id, wallet_id, kind, status, amount_minor, currency, note, idempotency_key, request_hash, settled_at)
      values (${id}, ${ownerId}, ${walletId}, 'DEPOSIT', 'COMPLETED', 1250, 'EUR', 'salary', ${`seed-${id}`}, 'seed', now())`;
  } finally {
    await sql.end();
  }
  return id;
}

/** Alice, with her default wallet, Income jar and one operation. */
export async function victim(stack: TestStack, name = 'Alice'): Promise<Victim> {
  const person = await register(stack, name, 'EUR');
  const { walletId, jarId } = await provisioned(stack, person);
  const operationId = await insertOperation(stack, person.userId, walletId);
  return { ...person, walletId, jarId, operationId };
}

/** Mallory, with her own provisioned wallet and jar (a real, fully set up account). */
export async function attacker(
  stack: TestStack,
  name = 'Mallory',
): Promise<Person & { walletId: string; jarId: string }> {
  const person = await register(stack, name, 'EUR');
  return { ...person, ...(await provisioned(stack, person)) };
}

/** Everything Alice sees of her own data, to compare before and after an attack. */
export const ALICE_VIEW = /* GraphQL */ `
  query AliceView($wallet: ID!, $jar: ID!, $op: ID!) {
    me {
      id email displayName createdAt
      wallets { id name currency status createdAt }
      defaultWallet {
        id name currency status
        balance { total { amount currency minorUnits } available { amount } allocated { amount } }
        jars { id name kind status createdAt balance { amount currency minorUnits } }
        allocationRules { percent }
      }
    }
    wallet(id: $wallet) { id name status owner { id displayName } }
    jar(id: $jar) { id name kind status wallet { id } balance { amount } }
    operation(id: $op) { id kind status failureCode amount { amount currency } wallet { id } note idempotencyKey settledAt }
  }
`;

export async function aliceView(stack: TestStack, alice: Victim) {
  const res = await gql(
    stack.url,
    ALICE_VIEW,
    { wallet: alice.walletId, jar: alice.jarId, op: alice.operationId },
    { token: alice.accessToken },
  );
  if (res.status !== 200 || res.errors) throw new Error(`Alice's view: ${JSON.stringify(res)}`);
  return res.data;
}
