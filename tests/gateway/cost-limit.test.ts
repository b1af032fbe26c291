import { uuidv7 } from '@walletgraph/events';
import { operationLimits } from '@walletgraph/platform/graphql/operation-limits';
import { createLiveClient } from '@walletgraph/sdk';
import { describe, expect, it } from 'vitest';
import { postGraphQL } from '../support/http.ts';
import { watch } from '../support/live.ts';
import { register } from '../support/money.ts';
import { useProductionAndDevelopment } from '../support/use-gateways.ts';

/**
 * The query cost limit counts page sizes passed as variables, over HTTP and over graphql-ws,
 * against the real gateway (identity alone behind it, for tokens): a refusal is answered by the
 * gateway before any subgraph is called, and what it lets through goes on to the subgraphs
 * (here a closed port, so it fails there, with another error).
 */

const { production, development } = useProductionAndDevelopment();

/** A page of operations inside a page of operations, both `$n` long: about 3·n² values. */
const nestedPages = /* GraphQL */ `
  query Nested($w: ID!, $n: Int!) {
    wallet(id: $w) {
      operations(first: $n) {
        edges { node { wallet { operations(first: $n) { edges { node { id } } } } } }
      }
    }
  }
`;

/** The same through a fragment, with the page size's default in the variable definition. */
const nestedPagesByDefault = /* GraphQL */ `
  query NestedByDefault($w: ID!, $n: Int = 100) {
    wallet(id: $w) { operations(first: $n) { edges { node { ...Again } } } }
  }
  fragment Again on Operation { wallet { operations(first: $n) { edges { node { id } } } } }
`;

const codes = (answer: { errors?: { extensions?: Record<string, unknown> }[] }) =>
  (answer.errors ?? []).map((e) => e.extensions?.code);

describe('the query cost limit over HTTP', () => {
  it('refuses nested pages of 100 passed as a variable, as when written in the query', async () => {
    const variables = { w: uuidv7(), n: 100 };
    const byVariable = await postGraphQL(development.url, { query: nestedPages, variables });
    expect(byVariable.status).toBe(400);
    expect(codes(byVariable)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(byVariable.errors?.[0]?.message).toMatch(
      new RegExp(`^Query cost limit of ${operationLimits.maxCost} exceeded, found 30402:`),
    );
    const literal = await postGraphQL(development.url, {
      query: nestedPages.replace(', $n: Int!', '').replaceAll('$n', '100'),
      variables: { w: variables.w },
    });
    expect(literal.errors?.[0]?.message).toEqual(byVariable.errors?.[0]?.message);
  });

  it('counts a variable’s default and a fragment’s selection', async () => {
    const answer = await postGraphQL(development.url, {
      query: nestedPagesByDefault,
      variables: { w: uuidv7() },
    });
    expect(answer.status).toBe(400);
    expect(codes(answer)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('lets nested pages of 10 through to the subgraphs', async () => {
    const answer = await postGraphQL(development.url, {
      query: nestedPages,
      variables: { w: uuidv7(), n: 10 },
    });
    expect(codes(answer)).not.toContain('GRAPHQL_VALIDATION_FAILED');
  });

  it('does not say the limit or the cost in production', async () => {
    const answer = await postGraphQL(production.url, {
      query: nestedPages,
      variables: { w: uuidv7(), n: 100 },
    });
    expect(answer.status).toBe(400);
    expect(codes(answer)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(answer.errors?.[0]?.message).not.toMatch(/\d/);
  });
});

/** Nested pages below a subscription's payload: read through the supergraph at every event. */
const nestedSubscription = /* GraphQL */ `
  subscription Nested($n: Int!) {
    balanceChanged {
      wallet {
        operations(first: $n) {
          edges { node { wallet { operations(first: $n) { edges { node { id } } } } } }
        }
      }
    }
  }
`;

describe('the query cost limit over graphql-ws', () => {
  for (const [mode, gateway] of [
    ['development', () => development],
    ['production', () => production],
  ] as const) {
    it(`refuses a subscription whose page sizes, as variables, go over it (${mode})`, async () => {
      const { accessToken } = await register(gateway().url, `cost${mode}`);
      const live = createLiveClient({
        url: gateway().url,
        token: accessToken,
        options: { retryAttempts: 0 },
      });
      try {
        const refused = await watch(live.ws, { query: nestedSubscription, variables: { n: 100 } }).ended;
        expect(refused).toEqual({
          kind: 'errors',
          errors: [
            {
              message:
                mode === 'development'
                  ? expect.stringMatching(/^Query cost limit of \d+ exceeded, found 30403:/)
                  : expect.not.stringMatching(/\d/),
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
            },
          ],
        });
        // The same with small pages is accepted: it stays open, waiting for events.
        const accepted = watch(live.ws, { query: nestedSubscription, variables: { n: 5 } });
        const probe = await watch(live.ws, { query: nestedSubscription, variables: { n: 100 } }).ended;
        expect(probe.kind).toBe('errors');
        expect(accepted.ending).toBeUndefined();
        accepted.stop();
      } finally {
        await live.dispose();
      }
    });
  }
});
