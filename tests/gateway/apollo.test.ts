import { createGatewayApollo } from '@walletgraph/gateway/apollo';
import type { GatewayContext } from '@walletgraph/gateway/context';
import { operationLimits } from '@walletgraph/platform/graphql/operation-limits';
import { createLogger } from '@walletgraph/platform/logger';
import { createMetrics } from '@walletgraph/platform/metrics';
import { buildSchema, getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const logger = createLogger('gateway-apollo-test', 'silent');

/** A tiny schema with recursion and pagination, enough to reach every limit. */
const schema = buildSchema(/* GraphQL */ `
  type Query {
    node: Node
    nodes(first: Int): [Node!]
  }
  type Node {
    id: ID!
    name: String
    child: Node
  }
  type Subscription {
    tick: Int
  }
`);

const context: GatewayContext = {
  viewer: null,
  clientAddress: '127.0.0.1',
  correlationId: 'test',
  logger,
  forwardedHeaders: {},
};

async function started(isProduction: boolean) {
  const apollo = createGatewayApollo({
    executor: { schema },
    isProduction,
    logger,
    metrics: createMetrics({ defaultMetrics: false }),
  });
  await apollo.start();
  return {
    apollo,
    async run(query: string, variables?: Record<string, unknown>) {
      const response = await apollo.executeOperation({ query, variables }, { contextValue: context });
      if (response.body.kind !== 'single') throw new Error('expected a single result');
      return { status: response.http.status, ...response.body.singleResult };
    },
  };
}

type Server = Awaited<ReturnType<typeof started>>;
type RunResult = Awaited<ReturnType<Server['run']>>;

/** The status, code and message of a refused operation, failing unless it has exactly one error. */
function refusal(result: RunResult) {
  expect(result.data).toBeUndefined();
  expect(result.errors).toHaveLength(1);
  const [error] = result.errors!;
  return { status: result.status, code: error!.extensions?.code, message: error!.message };
}

/** `{ node { child { … id } } }` with `depth` levels counted the way graphql-armor counts them. */
function nested(depth: number): string {
  const objects = depth - 1;
  return `{ node { ${'child { '.repeat(objects - 1)}id${' }'.repeat(objects - 1)} } }`;
}

/** One operation past each of the validation limits, by limit. */
const pastTheLimit = {
  depth: nested(operationLimits.maxDepth + 1),
  aliases: `{ node { ${Array.from({ length: operationLimits.maxAliases + 1 }, (_, i) => `a${i}: id`).join(' ')} } }`,
  directives: `{ node { ${Array.from({ length: operationLimits.maxDirectives + 1 }, () => 'id @skip(if: false)').join(' ')} } }`,
  cost: '{ nodes(first: 10001) { id } }',
};

describe('the gateway Apollo Server outside production', () => {
  let server: Server;
  beforeAll(async () => {
    server = await started(false);
  });
  afterAll(() => server.apollo.stop());

  it('answers a subscription sent over HTTP with BAD_REQUEST pointing at graphql-ws on /graphql', async () => {
    expect(refusal(await server.run('subscription { tick }'))).toEqual({
      status: 400,
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/WebSocket to this same \/graphql path with graphql-ws/),
    });
  });

  it('executes queries as usual', async () => {
    const result = await server.run(nested(operationLimits.maxDepth));
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ node: null });
  });

  it.each([
    { limit: 'depth', message: /^Syntax Error: Query depth limit of 12 exceeded, found 13\.$/ },
    { limit: 'aliases', message: /^Syntax Error: Aliases limit of 15 exceeded, found 16\.$/ },
    { limit: 'directives', message: /^Syntax Error: Directives limit of 20 exceeded, found 21\.$/ },
    { limit: 'cost', message: /^Query cost limit of 20000 exceeded, found 20002:/ },
  ] as const)(
    'rejects a query past the $limit limit with GRAPHQL_VALIDATION_FAILED, naming the limit',
    async ({ limit, message }) => {
      expect(refusal(await server.run(pastTheLimit[limit]))).toEqual({
        status: 400,
        code: 'GRAPHQL_VALIDATION_FAILED',
        message: expect.stringMatching(message),
      });
    },
  );

  it('rejects a document with more tokens than the limit', async () => {
    expect(refusal(await server.run(`{ node { ${'id '.repeat(operationLimits.maxTokens)}} }`))).toEqual({
      status: 400,
      code: 'GRAPHQL_PARSE_FAILED',
      message: expect.stringMatching(/more tha. 1000 tokens/),
    });
  });

  it('accepts nested pagination whose cost stays within the limit', async () => {
    const result = await server.run(
      '{ nodes(first: 100) { child { id name } } a: nodes(first: 100) { id } }',
    );
    expect(result.errors).toBeUndefined();
  });

  describe('counts a page size given as a variable, or by the variable’s default', () => {
    const query = 'query ($n: Int = 5000) { nodes(first: $n) { child { child { child { id } } } } }';

    it('accepts n = 100', async () => {
      expect((await server.run(query, { n: 100 })).errors).toBeUndefined();
    });

    it.each([
      { given: 'the default n = 5000', variables: undefined, cost: 25000 },
      { given: 'n = 20000', variables: { n: 20000 }, cost: 100000 },
    ])('rejects $given', async ({ variables, cost }) => {
      expect(refusal(await server.run(query, variables))).toEqual({
        status: 400,
        code: 'GRAPHQL_VALIDATION_FAILED',
        message: expect.stringMatching(new RegExp(`^Query cost limit of 20000 exceeded, found ${cost}:`)),
      });
    });
  });

  it('lets Apollo Sandbox introspect the schema', async () => {
    const query = getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
      oneOf: true,
    });
    const result = await server.run(query);
    expect(result.errors).toBeUndefined();
    expect(result.data).toHaveProperty('__schema.queryType.name', 'Query');
  });

  it('suggests field names to developers', async () => {
    expect(refusal(await server.run('{ nod }'))).toEqual({
      status: 400,
      code: 'GRAPHQL_VALIDATION_FAILED',
      message: expect.stringMatching(/Did you mean "node"/),
    });
  });
});

describe('the gateway Apollo Server in production', () => {
  let server: Server;
  beforeAll(async () => {
    server = await started(true);
  });
  afterAll(() => server.apollo.stop());

  it('refuses introspection', async () => {
    expect(refusal(await server.run('{ __schema { queryType { name } } }'))).toEqual({
      status: 400,
      code: 'GRAPHQL_VALIDATION_FAILED',
      message: expect.stringMatching(/introspection is not allowed/i),
    });
  });

  it.each(Object.keys(pastTheLimit) as (keyof typeof pastTheLimit)[])(
    'rejects a query past the %s limit without revealing the limit',
    async (limit) => {
      const { status, code, message } = refusal(await server.run(pastTheLimit[limit]));
      expect({ status, code }).toEqual({ status: 400, code: 'GRAPHQL_VALIDATION_FAILED' });
      expect(message).toMatch(/validation error/i);
      expect(message).not.toMatch(/limit|\d/);
    },
  );

  it('does not suggest field names', async () => {
    const { status, code, message } = refusal(await server.run('{ nod }'));
    expect({ status, code }).toEqual({ status: 400, code: 'GRAPHQL_VALIDATION_FAILED' });
    expect(message).not.toMatch(/Did you mean/);
  });

  it('still answers a subscription over HTTP with BAD_REQUEST', async () => {
    expect(refusal(await server.run('subscription { tick }'))).toMatchObject({
      status: 400,
      code: 'BAD_REQUEST',
    });
  });
});
