import { BillersDocument, createClient, ValidateBillReferenceDocument } from '@walletgraph/sdk';
import { describe, expect, it } from 'vitest';
import { register } from '../support/money.ts';
import { useRealStack } from '../support/use-stack.ts';

/**
 * The bill catalog and reference checks through the gateway, in real mode: transactions asks the
 * simulated biller process over HTTP (BILLER_URL) on the client's behalf.
 */

const stack = useRealStack();

describe('bills through the supergraph, real mode', () => {
  it('lists the billers and names the customer behind a reference', async () => {
    const { accessToken } = await register(stack.url, 'Gus');
    const client = createClient({ url: stack.url, token: accessToken });

    const tv = await client.request(BillersDocument, { category: 'TV' });
    expect(tv.errors).toBeUndefined();
    expect(tv.data!.billers).toEqual([expect.objectContaining({ id: 'starview-tv', category: 'TV' })]);

    const checked = await client.request(ValidateBillReferenceDocument, {
      billerId: 'metro-power',
      reference: '45012345678',
    });
    expect(checked.errors).toBeUndefined();
    expect(checked.data!.validateBillReference).toMatchObject({
      biller: { id: 'metro-power', referenceLabel: 'Meter number' },
      reference: '45012345678',
      customerName: expect.any(String),
    });

    const unknown = await client.request(ValidateBillReferenceDocument, {
      billerId: 'metro-power',
      reference: '45012340000',
    });
    expect(unknown.errors?.map((e) => e.extensions?.code)).toEqual(['INVALID_REFERENCE']);
  });
});
