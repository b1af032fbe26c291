import { describe, expect, it } from 'vitest';
import { findBiller } from './catalog.ts';
import { customerNameOf, receiptFor, scenarioOf } from './outcomes.ts';

const metroPower = findBiller('metro-power')!;
const airtime = findBiller('skyline-airtime')!;

describe('scenarioOf', () => {
  it.each([
    ['45012340000', 'INVALID_REFERENCE'],
    ['45012349001', 'REJECTED'],
    ['45012349002', 'CHARGE_THEN_HANG'],
    ['45012349003', 'HANG_FIRST_ATTEMPT'],
    ['45012349004', 'CHARGE_THEN_ERROR'],
    ['45012345678', 'SUCCEED'],
    ['4501234567', 'INVALID_REFERENCE'],
  ])('plays meter %s as %s', (reference, scenario) => {
    expect(scenarioOf(metroPower, reference)).toBe(scenario);
  });

  it('applies the same endings to every biller', () => {
    expect(scenarioOf(airtime, '0821239001')).toBe('REJECTED');
  });
});

describe('receiptFor', () => {
  it('sells kWh at the tariff, to one decimal, with a 20-digit token', () => {
    expect(receiptFor(metroPower, 'p1', 1234n)).toEqual({
      token: expect.stringMatching(/^\d{20}$/),
      units: '4.9',
      billerReference: expect.stringMatching(/^METRO-[0-9A-F]{10}$/),
    });
  });

  it('gives another token for another payment and the same one for the same payment', () => {
    expect(receiptFor(metroPower, 'p1', 1000n)).toEqual(receiptFor(metroPower, 'p1', 1000n));
    expect(receiptFor(metroPower, 'p1', 1000n).token).not.toBe(receiptFor(metroPower, 'p2', 1000n).token);
  });

  it('gives only a biller reference for airtime', () => {
    expect(Object.keys(receiptFor(airtime, 'p1', 1000n))).toEqual(['billerReference']);
  });
});

it('names the same customer for the same reference', () => {
  expect(customerNameOf(metroPower, '45012345678')).toBe(customerNameOf(metroPower, '45012345678'));
});
