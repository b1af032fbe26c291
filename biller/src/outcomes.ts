/**
 * What the simulated biller does with a reference, decided by its last four digits so tests can
 * ask for each failure a real biller shows (docs/biller.md has the table). Pure: no I/O, no clock.
 */
import { createHash } from 'node:crypto';
import { type Biller, tariffMinorUnitsPerKwh } from './catalog.ts';

export type Scenario =
  /** Validation and payment both answer INVALID_REFERENCE. */
  | 'INVALID_REFERENCE'
  /** Payment refused by the biller; nothing charged. */
  | 'REJECTED'
  /** Charged at once, answered only after the hang: the caller's timeout fires first. */
  | 'CHARGE_THEN_HANG'
  /** The first attempt of a paymentId hangs without charging; the next one succeeds. */
  | 'HANG_FIRST_ATTEMPT'
  /** Charged, then answered 500: the caller cannot tell whether money moved. */
  | 'CHARGE_THEN_ERROR'
  | 'SUCCEED';

const byEnding: Record<string, Scenario> = {
  '0000': 'INVALID_REFERENCE',
  '9001': 'REJECTED',
  '9002': 'CHARGE_THEN_HANG',
  '9003': 'HANG_FIRST_ATTEMPT',
  '9004': 'CHARGE_THEN_ERROR',
};

export function scenarioOf(biller: Biller, reference: string): Scenario {
  if (!new RegExp(biller.reference.pattern).test(reference)) return 'INVALID_REFERENCE';
  return byEnding[reference.slice(-4)] ?? 'SUCCEED';
}

export interface Receipt {
  /** Electricity only: the 20-digit vending token the customer keys into the meter. */
  token?: string;
  /** Electricity only: kWh bought, one decimal. */
  units?: string;
  /** The biller's own id for the payment. */
  billerReference: string;
}

function digest(...parts: string[]): Buffer {
  return createHash('sha256').update(parts.join('\u0000')).digest();
}

/** Deterministic from the payment, so a test can predict a receipt and a replay repeats it. */
export function receiptFor(biller: Biller, paymentId: string, minorUnits: bigint): Receipt {
  const hash = digest(biller.id, paymentId, minorUnits.toString());
  const billerReference = `${biller.id.split('-')[0]!.toUpperCase()}-${hash.subarray(0, 5).toString('hex').toUpperCase()}`;
  if (biller.category !== 'ELECTRICITY') return { billerReference };
  const token = (BigInt(`0x${hash.toString('hex')}`) % 10n ** 20n).toString().padStart(20, '0');
  const tariff = tariffMinorUnitsPerKwh[biller.currency] ?? 100n;
  const tenths = (minorUnits * 10n) / tariff;
  return { token, units: `${tenths / 10n}.${tenths % 10n}`, billerReference };
}

const givenNames = ['Thandi', 'Pieter', 'Amara', 'Lena', 'Sipho', 'Marta', 'Kofi', 'Ines'];
const familyNames = ['Mokoena', 'van der Merwe', 'Okafor', 'Schulz', 'Dlamini', 'Rossi', 'Mensah', 'Costa'];

/** The account holder a valid reference belongs to: the same name every time it is asked. */
export function customerNameOf(biller: Biller, reference: string): string {
  const hash = digest(biller.id, reference);
  return `${givenNames[hash[0]! % givenNames.length]} ${familyNames[hash[1]! % familyNames.length]}`;
}
