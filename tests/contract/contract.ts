/**
 * The API contract check: does a served schema still offer everything contracts/api.graphql
 * promises clients? Additions are allowed (new types, fields, optional arguments, enum values);
 * anything a contract client relies on that is missing or different is a problem.
 */
import {
  astFromValue,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isSpecifiedScalarType,
  isUnionType,
  print,
} from 'graphql';

/**
 * Every way `actual` breaks the contract, one readable line each (`Wallet.name: type String!
 * expected, found String`); empty when it satisfies it.
 */
export function contractViolations(contract: GraphQLSchema, actual: GraphQLSchema): string[] {
  const problems: string[] = [];
  const roots = [
    ['query', contract.getQueryType(), actual.getQueryType()],
    ['mutation', contract.getMutationType(), actual.getMutationType()],
    ['subscription', contract.getSubscriptionType(), actual.getSubscriptionType()],
  ] as const;
  for (const [operation, expected, found] of roots) {
    if (expected && expected.name !== found?.name) {
      problems.push(`schema: ${operation} root ${expected.name} expected, found ${found?.name ?? 'none'}`);
    }
  }
  for (const expected of Object.values(contract.getTypeMap())) {
    if (isIntrospectionType(expected) || isSpecifiedScalarType(expected)) continue;
    const found = actual.getType(expected.name);
    if (!found) {
      problems.push(`${expected.name}: ${kindOf(expected)} missing`);
    } else if (kindOf(found) !== kindOf(expected)) {
      problems.push(`${expected.name}: ${kindOf(expected)} expected, found ${kindOf(found)}`);
    } else {
      problems.push(...typeViolations(expected, found));
    }
  }
  return problems;
}

function typeViolations(expected: GraphQLNamedType, found: GraphQLNamedType): string[] {
  if (
    (isObjectType(expected) || isInterfaceType(expected)) &&
    (isObjectType(found) || isInterfaceType(found))
  ) {
    const problems = expected
      .getInterfaces()
      .filter((i) => !found.getInterfaces().some((f) => f.name === i.name))
      .map((i) => `${expected.name}: does not implement ${i.name}`);
    const fields = found.getFields();
    for (const field of Object.values(expected.getFields())) {
      const match = fields[field.name];
      if (!match) problems.push(`${expected.name}.${field.name}: field missing`);
      else problems.push(...fieldViolations(`${expected.name}.${field.name}`, field, match));
    }
    return problems;
  }
  if (isUnionType(expected) && isUnionType(found)) {
    const members = new Set(found.getTypes().map((t) => t.name));
    return expected
      .getTypes()
      .filter((t) => !members.has(t.name))
      .map((t) => `${expected.name}: union member ${t.name} missing`);
  }
  if (isEnumType(expected) && isEnumType(found)) {
    return expected
      .getValues()
      .filter((v) => !found.getValue(v.name))
      .map((v) => `${expected.name}.${v.name}: enum value missing`);
  }
  if (isInputObjectType(expected) && isInputObjectType(found)) {
    return inputsViolations(
      expected.name,
      Object.values(expected.getFields()),
      Object.values(found.getFields()),
      'input field',
    );
  }
  return [];
}

function fieldViolations(
  path: string,
  expected: GraphQLField<unknown, unknown>,
  found: GraphQLField<unknown, unknown>,
): string[] {
  const problems: string[] = [];
  if (String(expected.type) !== String(found.type)) {
    problems.push(`${path}: type ${String(expected.type)} expected, found ${String(found.type)}`);
  }
  problems.push(...inputsViolations(path, expected.args, found.args, 'argument'));
  return problems;
}

/** Arguments and input fields: same names, types and defaults; anything added must be optional. */
function inputsViolations(
  path: string,
  expected: ReadonlyArray<GraphQLArgument | GraphQLInputField>,
  found: ReadonlyArray<GraphQLArgument | GraphQLInputField>,
  what: 'argument' | 'input field',
): string[] {
  const problems: string[] = [];
  for (const input of expected) {
    const match = found.find((f) => f.name === input.name);
    const where = what === 'argument' ? `${path}(${input.name}:)` : `${path}.${input.name}`;
    if (!match) {
      problems.push(`${where}: ${what} missing`);
      continue;
    }
    if (String(input.type) !== String(match.type)) {
      problems.push(`${where}: type ${String(input.type)} expected, found ${String(match.type)}`);
    }
    const expectedDefault = printDefault(input.defaultValue, input.type);
    const foundDefault = printDefault(match.defaultValue, match.type);
    if (expectedDefault !== foundDefault) {
      problems.push(`${where}: default ${expectedDefault} expected, found ${foundDefault}`);
    }
  }
  for (const extra of found) {
    const required = isNonNullType(extra.type) && extra.defaultValue === undefined;
    if (required && !expected.some((e) => e.name === extra.name)) {
      const where = what === 'argument' ? `${path}(${extra.name}:)` : `${path}.${extra.name}`;
      problems.push(`${where}: added ${what} is required, which breaks contract clients`);
    }
  }
  return problems;
}

function printDefault(value: unknown, type: GraphQLInputType): string {
  if (value === undefined) return 'none';
  const ast = astFromValue(value, type);
  return ast ? print(ast) : 'none';
}

function kindOf(type: GraphQLNamedType): string {
  if (isObjectType(type)) return 'object type';
  if (isInterfaceType(type)) return 'interface';
  if (isUnionType(type)) return 'union';
  if (isEnumType(type)) return 'enum';
  if (isInputObjectType(type)) return 'input type';
  if (isScalarType(type)) return 'scalar';
  return 'type';
}
