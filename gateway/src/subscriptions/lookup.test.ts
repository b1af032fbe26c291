import { readFileSync } from 'node:fs';
import { buildSchema, execute, type GraphQLResolveInfo, isObjectType, parse, print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { type LookupField, lookup, lookupQuery, type RunQuery } from './lookup.ts';
import { apiSchemaFile } from './schema.ts';

/**
 * The query an event is read with, for the client's own selection: the API schema executes the
 * client's subscription document once, and the field that would look an object up prints the
 * query it would send.
 */
async function lookupsOf(
  source: string,
  at: { type: string; field: string; lookup: LookupField },
  variableValues: Record<string, unknown> = {},
): Promise<string[]> {
  const schema = buildSchema(readFileSync(apiSchemaFile, 'utf8'));
  const printed: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) field.resolve = () => ({});
  }
  const type = schema.getType(at.type);
  if (!isObjectType(type)) throw new Error(`no type ${at.type}`);
  type.getFields()[at.field]!.resolve = (_source, _args, _context, info: GraphQLResolveInfo) => {
    printed.push(print(lookupQuery(info, at.lookup)));
    // Resolved later, so every sibling's resolver has run before this null fails its parent.
    return Promise.resolve(null);
  };
  await execute({ schema, document: parse(source), variableValues });
  return printed;
}

const trim = (query: string) => query.replace(/^\n/, '').replace(/\n\s*$/, '');

describe('lookupQuery', () => {
  it('keeps the alias and the selection, and takes only the fragments and variables it uses', async () => {
    const queries = await lookupsOf(
      /* GraphQL */ `
        subscription Live($w: ID, $first: Int, $withOwner: Boolean!, $unused: Int) {
          bc: balanceChanged(walletId: $w) {
            ...Delta
            mine: wallet {
              ...W
              label: name
              ops: operations(first: $first) { edges { node { id } } }
            }
          }
        }
        fragment Delta on BalanceChange { d: delta { amount } }
        fragment W on Wallet { id ...Owner }
        fragment Owner on Wallet { owner @include(if: $withOwner) { mail: email } }
        fragment Unused on Wallet { status }
      `,
      { type: 'BalanceChange', field: 'wallet', lookup: 'wallet' },
      { withOwner: true },
    );
    expect(queries).toEqual([
      trim(`
query Live($__eventId: ID!, $first: Int, $withOwner: Boolean!) {
  mine: wallet(id: $__eventId) {
    ...W
    label: name
    ops: operations(first: $first) {
      edges {
        node {
          id
        }
      }
    }
  }
}

fragment W on Wallet {
  id
  ...Owner
}

fragment Owner on Wallet {
  owner @include(if: $withOwner) {
    mail: email
  }
}`),
    ]);
  });

  it('merges the selections of one field asked for twice, through a named and an inline fragment', async () => {
    const queries = await lookupsOf(
      /* GraphQL */ `
        subscription {
          balanceChanged {
            wallet { id }
            ... on BalanceChange { wallet { name } }
            ...F
          }
        }
        fragment F on BalanceChange { wallet { ... on Wallet { status } } }
      `,
      { type: 'BalanceChange', field: 'wallet', lookup: 'wallet' },
    );
    expect(queries).toEqual([
      trim(`
query ($__eventId: ID!) {
  wallet: wallet(id: $__eventId) {
    id
    name
    ... on Wallet {
      status
    }
  }
}`),
    ]);
  });

  it('reads a root subscription field through its query twin, under the client’s alias', async () => {
    const queries = await lookupsOf(
      /* GraphQL */ `
        subscription Settled($id: ID) {
          op: operationUpdated(id: $id) { id st: status }
        }
      `,
      { type: 'Subscription', field: 'operationUpdated', lookup: 'operation' },
      { id: 'ignored-by-the-lookup' },
    );
    expect(queries).toEqual([
      trim(`
query Settled($__eventId: ID!) {
  op: operation(id: $__eventId) {
    id
    st: status
  }
}`),
    ]);
  });

  it('looks each alias of one field up apart, with its own selection', async () => {
    const queries = await lookupsOf(
      /* GraphQL */ `
        subscription { goalAchieved { a: jar { id } b: jar { name } } }
      `,
      { type: 'GoalAchievement', field: 'jar', lookup: 'jar' },
    );
    expect(queries).toEqual([
      trim(`
query ($__eventId: ID!) {
  a: jar(id: $__eventId) {
    id
  }
}`),
      trim(`
query ($__eventId: ID!) {
  b: jar(id: $__eventId) {
    name
  }
}`),
    ]);
  });
});

describe('lookup', () => {
  /** Runs `source` where BalanceChange.wallet looks its wallet up for the one `event`, with a counting `run`. */
  async function lookupTwice(source: string, event: object) {
    const schema = buildSchema(readFileSync(apiSchemaFile, 'utf8'));
    const calls: string[] = [];
    const run: RunQuery = async (document) => {
      calls.push(print(document));
      return { data: { wallet: { id: 'w1' } } };
    };
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) field.resolve = (s) => s ?? {};
    }
    const type = schema.getType('BalanceChange');
    if (!isObjectType(type)) throw new Error('no BalanceChange');
    type.getFields().wallet!.resolve = (_s, _a, _c, info) => lookup(run, info, 'wallet', 'w1', event);
    const document = parse(source);
    await execute({ schema, document, rootValue: {} });
    await execute({ schema, document, rootValue: {} });
    return calls;
  }

  it('reads an event once for every subscription asking the same of it', async () => {
    const event = { walletId: 'w1' };
    const calls = await lookupTwice('subscription { balanceChanged { wallet { id } } }', event);
    expect(calls).toHaveLength(1);
  });

  it('reads each event, and each different selection, on its own', async () => {
    expect(await lookupTwice('subscription { balanceChanged { wallet { id } } }', {})).toHaveLength(1);
    expect(await lookupTwice('subscription { balanceChanged { wallet { id } } }', {})).toHaveLength(1);
    const event = {};
    await lookupTwice('subscription { balanceChanged { wallet { id } } }', event);
    expect(await lookupTwice('subscription { balanceChanged { wallet { name } } }', event)).toHaveLength(1);
  });
});
