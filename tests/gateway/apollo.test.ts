import { createGatewayApollo } from '@walletgraph/gateway/apollo';
import type { GatewayContext } from '@walletgraph/gateway/context';
import { operationLimits } from '@walletgraph/platform/graphql/operation-limits';
import { createLogger } from '@walletgraph/platform/logger';
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
  const apollo = createGatewayApollo({ executor: { schema }, isProduction, logger });
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

/** `{ node { child { … id } } }` with `depth` levels counted the way graphql-armor counts them. */
function nested(depth: number): string {
  const objects = depth - 1;
  return `{ node { ${'child { '.repeat(objects - 1)}id${' }'.repeat(objects - 1)} } }`;
}

describe('the gateway Apollo Server outside production', () => {
  let server: Awaited<ReturnType<typeof started>>;
  beforeAll(async () => {
    server = await started(false);
  });
  afterAll(() => server.apollo.stop());

  it('answers a subscription sent over HTTP with BAD_REQUEST pointing at graphql-ws on /graphql', async () => {
    const result = await server.run('subscription { tick }');
    expect(result.status).toBe(400);
    expect(result.data).toBeUndefined();
    expect(result.errors).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/WebSocket to this same \/graphql path with graphql-ws/),
        extensions: expect.objectContaining({ code: 'BAD_REQUEST' }),
      }),
    ]);
  });

  it('executes queries as usual', async () => {
    const result = await server.run(nested(operationLimits.maxDepth));
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ node: null });
  });

  it('rejects a query deeper than the depth limit', async () => {
    const result = await server.run(nested(operationLimits.maxDepth + 1));
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.message).toMatch(/depth limit of 12 exceeded/);
  });

  it('rejects more aliases than the limit', async () => {
    const aliases = Array.from({ length: operationLimits.maxAliases + 1 }, (_, i) => `a${i}: id`).join(' ');
    const result = await server.run(`{ node { ${aliases} } }`);
    expect(result.errors?.[0]?.message).toMatch(/Aliases limit of 15 exceeded/);
  });

  it('rejects more directives than the limit', async () => {
    const fields = Array.from(
      { length: operationLimits.maxDirectives + 1 },
      () => 'id @skip(if: false)',
    ).join(' ');
    const result = await server.run(`{ node { ${fields} } }`);
    expect(result.errors?.[0]?.message).toMatch(/Directives limit of 20 exceeded/);
  });

  it('rejects a document with more tokens than the limit', async () => {
    const result = await server.run(`{ node { ${'id '.repeat(operationLimits.maxTokens)}} }`);
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.message).toMatch(/more tha. 1000 tokens/);
    expect(result.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('rejects a query whose cost exceeds the limit, such as nested pagination', async () => {
    const result = await server.run(
      '{ nodes(first: 100) { child { id name } } a: nodes(first: 100) { id } }',
    );
    expect(result.errors).toBeUndefined();
    const costly = await server.run('{ nodes(first: 10001) { id } }');
    expect(costly.status).toBe(400);
    expect(costly.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(costly.errors?.[0]?.message).toMatch(/^Query cost limit of 20000 exceeded, found 20002:/);
  });

  it('counts a page size given as a variable, or by the variable’s default', async () => {
    const query = 'query ($n: Int = 5000) { nodes(first: $n) { child { child { child { id } } } } }';
    expect((await server.run(query, { n: 100 })).errors).toBeUndefined();
    expect((await server.run(query)).errors?.[0]?.message).toMatch(
      /Query cost limit of 20000 exceeded, found 25000:/,
    );
    expect((await server.run(query, { n: 20000 })).status).toBe(400);
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
    const result = await server.run('{ nod }');
    expect(result.errors?.[0]?.message).toMatch(/Did you mean "node"/);
  });
});

describe('the gateway Apollo Server in production', () => {
  let server: Awaited<ReturnType<typeof started>>;
  beforeAll(async () => {
    server = await started(true);
  });
  afterAll(() => server.apollo.stop());

  it('refuses introspection', async () => {
    const result = await server.run('{ __schema { queryType { name } } }');
    expect(result.errors?.[0]?.message).toMatch(/introspection is not allowed/i);
  });

  it('does not reveal its limits or suggest field names', async () => {
    const deep = await server.run(nested(operationLimits.maxDepth + 1));
    expect(deep.errors?.[0]?.message).toBeDefined();
    expect(deep.errors?.[0]?.message).not.toMatch(/12/);
    const typo = await server.run('{ nod }');
    expect(typo.errors?.[0]?.message).not.toMatch(/Did you mean/);
  });

  it('still answers a subscription over HTTP with BAD_REQUEST', async () => {
    const result = await server.run('subscription { tick }');
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
  });
});
