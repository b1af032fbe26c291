/**
 * graphql-codegen (`pnpm codegen`): typed resolvers for each subgraph from its own schema, and
 * the client SDK's typed documents from the composed API schema. Output must run under Node's
 * type stripping: `.ts` import extensions, `import type`, and string unions instead of enums.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

/** Resolvers may return a Date (drizzle timestamps) or an ISO string; the scalar serializes both. */
const resolverScalars = { DateTime: 'Date | string', Decimal: 'string' };
/** Clients receive JSON: a DateTime arrives as its ISO string. */
const clientScalars = { DateTime: 'string', Decimal: 'string' };

/** A federation reference `{ __typename, id }`: the parent of an entity whose fields here need only its key. */
const entityReference = (type: string) => `FederationReferenceTypes['${type}']`;
/** `Money` is resolved from `moneyView(minor, currency)`. */
const moneyView = '@walletgraph/platform/money#MoneyView';

/**
 * What each GraphQL type's resolvers receive as their parent, and what a resolver returning that
 * type must return, where it is not the GraphQL shape: a drizzle row, a view of one, or a
 * federation reference for an entity whose fields this subgraph resolves from its key alone.
 */
const mappers: Record<string, Record<string, string>> = {
  identity: { User: '../domain/user-view.ts#UserView' },
  wallet: { Wallet: '../domain/wallet.ts#WalletView', User: entityReference('User') },
  jars: { Jar: '../domain/jar.ts#JarParent', Wallet: entityReference('Wallet'), Money: moneyView },
  transactions: {
    Operation: '../domain/view.ts#OperationView',
    Wallet: entityReference('Wallet'),
    Money: moneyView,
    ScheduledPayment: '../db/schema.ts#ScheduledPaymentRow',
  },
  ledger: {
    Wallet: '../domain/wallet.ts#LedgerWallet',
    Jar: '../db/schema.ts#AccountRow',
    Money: moneyView,
  },
};

const resolverOutputs = Object.fromEntries(
  Object.entries(mappers).map(([name, typeMappers]) => [
    `subgraphs/${name}/generated/resolvers.ts`,
    {
      schema: `subgraphs/${name}/schema.graphql`,
      plugins: ['typescript', 'typescript-resolvers'],
      config: {
        federation: true,
        // No index signature: a resolver for a type or field the schema lacks fails tsc (Apollo would
        // silently ignore it).
        // The subgraph's request context, from the module that holds only types (context.ts), so
        // the generated resolvers import no wiring and close no import circle through server.ts.
        contextType: `../context.ts#${name[0]!.toUpperCase()}${name.slice(1)}Context`,
        mappers: typeMappers,
        scalars: resolverScalars,
        useTypeImports: true,
        enumsAsTypes: true,
      },
    },
  ]),
);

const config: CodegenConfig = {
  overwrite: true,
  emitLegacyCommonJSImports: false,
  importExtension: '.ts',
  generates: {
    ...resolverOutputs,
    'contracts/sdk/src/gql/': {
      schema: 'gateway/api-schema.graphql',
      documents: 'contracts/sdk/src/operations/**/*.graphql',
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: { useTypeImports: true, enumsAsTypes: true, scalars: clientScalars },
    },
  },
};

export default config;
