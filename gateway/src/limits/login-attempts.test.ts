import { type DocumentNode, Kind, type OperationDefinitionNode, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { loginResponseKeys } from './login-attempts.ts';

function keysOf(source: string): string[] {
  const document: DocumentNode = parse(source);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  )!;
  return loginResponseKeys(document, operation);
}

describe('loginResponseKeys', () => {
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

  it('ignores other mutations, nested fields named login, and queries', () => {
    expect(keysOf('mutation { register(input: $i) { user { login } } }')).toEqual([]);
    expect(keysOf('query { login }')).toEqual([]);
  });
});
