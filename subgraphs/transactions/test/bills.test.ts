import { beforeAll, describe, expect, it } from 'vitest';
import { onlyError, type TestUser } from './harness.ts';
import { useBillsHarness } from './use-biller.ts';

const BILLERS = /* GraphQL */ `
  query Billers($category: BillerCategory) {
    billers(category: $category) { id name category currency referenceLabel referencePattern }
  }
`;

const VALIDATE = /* GraphQL */ `
  query Validate($billerId: ID!, $reference: String!) {
    validateBillReference(billerId: $billerId, reference: $reference) {
      biller { id referenceLabel } reference customerName
    }
  }
`;

// Short timings so the breaker's half-open wait and the timeout are tests, not waits.
const billerPolicy = {
  timeoutMs: 300,
  retries: 1,
  retryDelayMs: 10,
  breakerThreshold: 3,
  halfOpenAfterMs: 500,
};

describe('the bill catalog and reference checks', () => {
  const bills = useBillsHarness(billerPolicy);
  let user: TestUser;
  beforeAll(async () => {
    user = await bills.harness.user();
  });
  const validate = (billerId: string, reference: string) =>
    bills.harness.execute(VALIDATE, { billerId, reference }, user.token);

  it('lists every biller with what a reference must look like', async () => {
    const { data, errors } = await bills.harness.execute(BILLERS, {}, user.token);
    expect(errors).toEqual([]);
    expect(data.billers.map((b: { category: string }) => b.category).sort()).toEqual([
      'AIRTIME',
      'ELECTRICITY',
      'ELECTRICITY',
      'INTERNET',
      'TV',
      'WATER',
    ]);
    expect(data.billers).toContainEqual({
      id: 'metro-power',
      name: 'Metro Power (prepaid electricity)',
      category: 'ELECTRICITY',
      currency: 'ZAR',
      referenceLabel: 'Meter number',
      referencePattern: '^\\d{11}$',
    });
  });

  it('lists the billers of one category', async () => {
    const { data } = await bills.harness.execute(BILLERS, { category: 'TV' }, user.token);
    expect(data.billers.map((b: { id: string }) => b.id)).toEqual(['starview-tv']);
  });

  it('names the customer the biller knows by a reference', async () => {
    const { data, errors } = await validate('metro-power', '45012345678');
    expect(errors).toEqual([]);
    expect(data.validateBillReference).toEqual({
      biller: { id: 'metro-power', referenceLabel: 'Meter number' },
      reference: '45012345678',
      customerName: expect.any(String),
    });
    const again = await validate('metro-power', '45012345678');
    expect(again.data.validateBillReference.customerName).toBe(data.validateBillReference.customerName);
  });

  it('refuses a reference off the pattern without asking the biller', async () => {
    const before = bills.validationCalls();
    expect(onlyError(await validate('metro-power', '4501'))).toMatchObject({
      code: 'INVALID_REFERENCE',
      field: 'reference',
    });
    expect(bills.validationCalls()).toBe(before);
  });

  it('refuses a reference the biller does not know', async () => {
    const before = bills.validationCalls();
    expect(onlyError(await validate('metro-power', '45012340000')).code).toBe('INVALID_REFERENCE');
    expect(bills.validationCalls()).toBe(before + 1);
  });

  it('answers NOT_FOUND for an unknown biller', async () => {
    expect(onlyError(await validate('no-such-biller', '45012345678')).code).toBe('NOT_FOUND');
  });

  it('refuses both fields to anonymous callers', async () => {
    expect(onlyError(await bills.harness.execute(BILLERS, {})).code).toBe('UNAUTHENTICATED');
    const anonymous = await bills.harness.execute(VALIDATE, {
      billerId: 'metro-power',
      reference: '45012345678',
    });
    expect(onlyError(anonymous).code).toBe('UNAUTHENTICATED');
  });

  it('refuses a reference longer than any biller uses', async () => {
    expect(onlyError(await validate('metro-power', '4'.repeat(101)))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'reference',
    });
  });
});

describe('when the biller fails', () => {
  const bills = useBillsHarness(billerPolicy);
  let user: TestUser;
  beforeAll(async () => {
    user = await bills.harness.user();
    // The catalog is cached from here on, so only validations reach the biller below.
    await bills.harness.execute(BILLERS, {}, user.token);
  });
  const validate = (reference: string) =>
    bills.harness.execute(VALIDATE, { billerId: 'metro-power', reference }, user.token);

  it('answers BILLER_UNAVAILABLE, then fails fast once the breaker opens', async () => {
    await bills.behave({ down: true });
    const before = bills.validationCalls();
    const first = onlyError(await validate('45012345678'));
    expect(first).toMatchObject({ code: 'BILLER_UNAVAILABLE', retryAfterSeconds: 1 });
    // First call: an attempt and its retry; second: the third failure opens the breaker.
    await validate('45012345678');
    expect(bills.validationCalls()).toBe(before + 3);
    for (let i = 0; i < 5; i++) {
      expect(onlyError(await validate('45012345678')).code).toBe('BILLER_UNAVAILABLE');
    }
    expect(bills.validationCalls()).toBe(before + 3);
  });

  it('still refuses a reference off the pattern while the biller is down', async () => {
    expect(onlyError(await validate('12')).code).toBe('INVALID_REFERENCE');
  });

  it('recovers once the breaker half-opens and the biller answers', async () => {
    await bills.behave({ down: false });
    await new Promise((resolve) => setTimeout(resolve, billerPolicy.halfOpenAfterMs + 100));
    const { data, errors } = await validate('45012345678');
    expect(errors).toEqual([]);
    expect(data.validateBillReference.customerName).toEqual(expect.any(String));
  });

  it('answers BILLER_UNAVAILABLE when the biller is slower than the timeout', async () => {
    await bills.behave({ latencyMs: billerPolicy.timeoutMs * 3 });
    try {
      expect(onlyError(await validate('45012345678')).code).toBe('BILLER_UNAVAILABLE');
    } finally {
      await bills.behave({ latencyMs: 0 });
    }
  });
});
