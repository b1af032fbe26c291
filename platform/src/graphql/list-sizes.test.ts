import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { listSizesOf } from './list-sizes.ts';

describe('listSizesOf', () => {
  it('reads each assumedSize by Type.field, in a subgraph schema or a supergraph', () => {
    const document = parse(/* GraphQL */ `
      type Wallet @key(fields: "id") {
        id: ID!
        jars: [Jar!]! @join__field(graph: JARS) @listSize(assumedSize: 50)
      }
      extend type Mutation {
        setRules(rules: [RuleInput!]!): [Rule!]! @listSize(assumedSize: 20)
      }
    `);
    expect(listSizesOf(document)).toEqual({ 'Wallet.jars': 50, 'Mutation.setRules': 20 });
  });

  it('leaves out lists sized by their arguments, and lists with no size', () => {
    const document = parse(/* GraphQL */ `
      type Query {
        wallets(first: Int): [Wallet!]! @listSize(slicingArguments: ["first"])
        tags: [String!]!
      }
    `);
    expect(listSizesOf(document)).toEqual({});
  });
});
