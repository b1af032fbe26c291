import { createLiveClient } from '@walletgraph/sdk';
import { describe, expect, it } from 'vitest';
import type { BareGateway } from '../support/gateway.ts';
import { watch } from '../support/live.ts';
import { register } from '../support/money.ts';
import { useProductionAndDevelopment } from '../support/use-gateways.ts';

/**
 * Field suggestions ("Did you mean …?") map a schema whose introspection is off. Over HTTP the
 * armor plugin masks them in production; a subscription over graphql-ws is validated by the
 * gateway's own WebSocket server, which must mask them the same way.
 */

const { production, development } = useProductionAndDevelopment();

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
