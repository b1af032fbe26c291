import { createLiveClient } from '@walletgraph/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BareGateway, startBareGateway } from '../support/gateway.ts';
import { startIdentity, type TestIdentity } from '../support/identity.ts';
import { watch } from '../support/live.ts';
import { register } from '../support/money.ts';

/**
 * Field suggestions ("Did you mean …?") map a schema whose introspection is off. Over HTTP the
 * armor plugin masks them in production; a subscription over graphql-ws is validated by the
 * gateway's own WebSocket server, which must mask them the same way.
 */

let identity: TestIdentity;
let production: BareGateway;
let development: BareGateway;

beforeAll(async () => {
  identity = await startIdentity();
  const env = { IDENTITY_URL: identity.url, JWKS_URL: identity.jwksUrl };
  [production, development] = await Promise.all([
    startBareGateway({ ...env, NODE_ENV: 'production' }),
    startBareGateway(env),
  ]);
}, 120_000);

afterAll(async () => {
  await production?.[Symbol.asyncDispose]();
  await development?.[Symbol.asyncDispose]();
  await identity?.[Symbol.asyncDispose]();
}, 60_000);

async function refusalOfTypo(gateway: BareGateway): Promise<string> {
  const { accessToken } = await register(gateway.url, 'typo');
  const live = createLiveClient({
    url: gateway.url,
    token: accessToken,
    options: { retryAttempts: 0 },
  });
  try {
    const ending = await watch(live.ws, { query: 'subscription { goalAchieved { achievedAtt } }' }).ended;
    if (ending.kind !== 'errors') throw new Error(`expected a refusal, got ${JSON.stringify(ending)}`);
    expect(ending.errors).toHaveLength(1);
    return ending.errors[0]!.message;
  } finally {
    await live.dispose();
  }
}

describe('a subscription with a typo', () => {
  it('is refused without a suggestion in production', async () => {
    const message = await refusalOfTypo(production);
    expect(message).toMatch(/Cannot query field "achievedAtt"/);
    expect(message).not.toMatch(/Did you mean/);
    expect(message).toMatch(/\[Suggestion hidden\]/);
  });

  it('is refused with the suggestion in development', async () => {
    expect(await refusalOfTypo(development)).toMatch(/Did you mean "achievedAt"\?/);
  });
});
