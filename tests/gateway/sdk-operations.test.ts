import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createArmor } from '@walletgraph/gateway/plugins/armor';
import {
  DepositDocument,
  LoginDocument,
  MeDocument,
  OperationDocument,
  RegisterDocument,
  TransferDocument,
  WalletDocument,
  WalletOperationsDocument,
  WithdrawDocument,
} from '@walletgraph/sdk';
import { buildSchema, specifiedRules, validate } from 'graphql';
import { describe, expect, it } from 'vitest';

const apiSchema = buildSchema(
  readFileSync(join(import.meta.dirname, '../../gateway/api-schema.graphql'), 'utf8'),
);
const armor = createArmor({ isProduction: true });

describe('the SDK operations', () => {
  it.each([
    ['Register', RegisterDocument],
    ['Login', LoginDocument],
    ['Me', MeDocument],
    ['Wallet', WalletDocument],
    ['Deposit', DepositDocument],
    ['Withdraw', WithdrawDocument],
    ['Transfer', TransferDocument],
    ['Operation', OperationDocument],
    ['WalletOperations', WalletOperationsDocument],
  ])('%s is valid against the API schema and within the gateway limits', (_name, document) => {
    const errors = validate(apiSchema, document, [...specifiedRules, ...armor.validationRules]);
    expect(errors.map((e) => e.message)).toEqual([]);
    // With no variables a page size given as one counts as large as a page can be.
    expect(armor.checkCost(apiSchema, document, undefined, {}).refusal).toBeNull();
  });
});
