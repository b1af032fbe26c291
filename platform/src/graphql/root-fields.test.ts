import { buildSchema, type DocumentNode, Kind, type OperationDefinitionNode, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { rootFieldResponseKeys, singlePasswordField } from './root-fields.ts';

function keysOf(source: string): string[] {
  const document: DocumentNode = parse(source);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  )!;
  return rootFieldResponseKeys(document, operation, new Set(['login']));
}

describe('rootFieldResponseKeys', () => {
  it('finds a plain login', () => {
    expect(keysOf(/* GraphQL */ 'mutation { login(input: $i) { accessToken } }')).toEqual(['login']);
  });

  it('counts each aliased login as its own attempt', () => {
    const source = /* GraphQL */ `
      mutation {
        a: login(input: { email: "a@x.io", password: "1" }) { accessToken }
        b: login(input: { email: "a@x.io", password: "2" }) { accessToken }
        login(input: { email: "a@x.io", password: "3" }) { accessToken }
      }
    `;
    expect(keysOf(source)).toEqual(['a', 'b', 'login']);
  });

  it('counts a response key once: fields sharing it run once', () => {
    const source = /* GraphQL */ `
      mutation {
        login(input: $i) { accessToken }
        login(input: $i) { refreshToken }
      }
    `;
    expect(keysOf(source)).toEqual(['login']);
  });

  it('finds logins inside inline fragments and fragment spreads', () => {
    const source = /* GraphQL */ `
      mutation {
        ... on Mutation { a: login(input: $i) { accessToken } }
        ...Guesses
      }
      fragment Guesses on Mutation {
        b: login(input: $j) { accessToken }
        ... { c: login(input: $k) { accessToken } }
      }
    `;
    expect(keysOf(source)).toEqual(['a', 'b', 'c']);
  });

  it('ignores other root fields and nested fields of the same name', () => {
    expect(keysOf('mutation { register(input: $i) { user { login } } }')).toEqual([]);
  });
});

describe('singlePasswordField', () => {
  const schema = buildSchema(/* GraphQL */ `
    type Session { token: String }
    input Credentials { email: String, password: String }
    type Query { me: String }
    type Mutation {
      register(input: Credentials): Session
      login(input: Credentials): Session
      changePassword(input: Credentials): Session
      logout: Boolean
    }
  `);
  const errorsOf = (source: string) =>
    validate(schema, parse(source), [singlePasswordField]).map((e) => e.message);

  it('lets one password-hashing field through, with anything else beside it', () => {
    expect(errorsOf('mutation { login(input: {}) { token } logout }')).toEqual([]);
    expect(errorsOf('mutation { a: login(input: {}) { token } a: login(input: {}) { token } }')).toEqual([]);
    expect(errorsOf('query { me }')).toEqual([]);
  });

  it('refuses two or more, aliased, mixed or hidden in fragments', () => {
    expect(errorsOf('mutation { a: login(input: {}) { token } b: login(input: {}) { token } }')).toEqual([
      'at most one of register, login, changePassword per request; this one has 2 (a, b)',
    ]);
    expect(
      errorsOf(/* GraphQL */ `
        mutation { register(input: {}) { token } ...F }
        fragment F on Mutation { changePassword(input: {}) { token } }
      `),
    ).toHaveLength(1);
  });
});
