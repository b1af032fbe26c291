import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { contractViolations } from './contract.ts';

const sdl = /* GraphQL */ `
  scalar Decimal
  enum Status { ACTIVE ARCHIVED }
  type Money { amount: Decimal! currency: String! }
  input DepositInput { walletId: ID! amount: String! note: String }
  interface Node { id: ID! }
  type Wallet implements Node { id: ID! name: String! status: Status! }
  type Jar implements Node { id: ID! }
  union Owned = Wallet | Jar
  type Query {
    wallet(id: ID!): Wallet
    wallets(first: Int = 20, after: String): [Wallet!]!
    owned: [Owned!]!
  }
  type Mutation { deposit(input: DepositInput!, waitMs: Int = 2000): Money! }
`;
const contract = buildSchema(sdl);

/** The contract with one edit applied, so each test names exactly what it breaks. */
function served(edit: (sdl: string) => string) {
  const edited = edit(sdl);
  if (edited === sdl) throw new Error('the edit changed nothing');
  return buildSchema(edited);
}

describe('contractViolations', () => {
  it('accepts a schema identical to the contract', () => {
    expect(contractViolations(contract, contract)).toEqual([]);
  });

  it('accepts additions: new types, fields, optional arguments and enum values', () => {
    const schema = served((s) =>
      s
        .replace('ARCHIVED }', 'ARCHIVED FROZEN }')
        .replace('name: String! status', 'name: String! createdAt: String status')
        .replace('after: String)', 'after: String, kind: String)')
        .replace('note: String }', 'note: String tag: String = "x" }')
        .concat('type Extra { id: ID! }'),
    );
    expect(contractViolations(contract, schema)).toEqual([]);
  });

  it('reports a missing field', () => {
    const schema = served((s) => s.replace('name: String! status', 'status'));
    expect(contractViolations(contract, schema)).toEqual(['Wallet.name: field missing']);
  });

  it('reports a changed field type, including a lost non-null', () => {
    const schema = served((s) => s.replace('name: String! status', 'name: String status'));
    expect(contractViolations(contract, schema)).toEqual([
      'Wallet.name: type String! expected, found String',
    ]);
  });

  it('reports a missing enum value', () => {
    const schema = served((s) => s.replace('ACTIVE ARCHIVED', 'ACTIVE'));
    expect(contractViolations(contract, schema)).toEqual(['Status.ARCHIVED: enum value missing']);
  });

  it('reports a missing argument', () => {
    const schema = served((s) => s.replace('first: Int = 20, after', 'after'));
    expect(contractViolations(contract, schema)).toEqual(['Query.wallets(first:): argument missing']);
  });

  it('reports a changed argument type and a changed default value', () => {
    const schema = served((s) =>
      s.replace('wallet(id: ID!)', 'wallet(id: String!)').replace('= 2000', '= 500'),
    );
    expect(contractViolations(contract, schema)).toEqual([
      'Query.wallet(id:): type ID! expected, found String!',
      'Mutation.deposit(waitMs:): default 2000 expected, found 500',
    ]);
  });

  it('reports an added required argument or input field, which contract clients cannot send', () => {
    const schema = served((s) =>
      s
        .replace('wallet(id: ID!)', 'wallet(id: ID!, scope: String!)')
        .replace('note: String }', 'note: String code: ID! }'),
    );
    expect(contractViolations(contract, schema)).toEqual([
      'DepositInput.code: added input field is required, which breaks contract clients',
      'Query.wallet(scope:): added argument is required, which breaks contract clients',
    ]);
  });

  it('reports missing and changed input fields', () => {
    const schema = served((s) => s.replace('amount: String! note: String }', 'amount: Decimal! }'));
    expect(contractViolations(contract, schema)).toEqual([
      'DepositInput.amount: type String! expected, found Decimal!',
      'DepositInput.note: input field missing',
    ]);
  });

  it('reports missing types, a kind change, union members and interfaces', () => {
    const schema = served((s) =>
      s
        .replace('scalar Decimal', 'enum Decimal { ZERO }')
        .replace('type Jar implements Node', 'type Jar')
        .replace('union Owned = Wallet | Jar', 'union Owned = Wallet'),
    );
    expect(contractViolations(contract, schema)).toEqual([
      'Decimal: scalar expected, found enum',
      'Jar: does not implement Node',
      'Owned: union member Jar missing',
    ]);
  });

  it('reports every problem at once, not only the first', () => {
    const schema = served((s) =>
      s.replace('ACTIVE ARCHIVED', 'ACTIVE').replace('name: String! status', 'status'),
    );
    expect(contractViolations(contract, schema)).toHaveLength(2);
  });
});
