/** The billers the simulator plays, and what a customer must give each of them. */

export type BillerCategory = 'ELECTRICITY' | 'AIRTIME' | 'WATER' | 'INTERNET' | 'TV';

export interface Biller {
  id: string;
  name: string;
  category: BillerCategory;
  currency: string;
  reference: { label: string; pattern: string; example: string };
}

/**
 * Every reference is digits so that the deterministic endings (outcomes.ts) work the same for
 * every biller; the examples end in digits that succeed.
 */
export const billers: readonly Biller[] = [
  {
    id: 'metro-power',
    name: 'Metro Power (prepaid electricity)',
    category: 'ELECTRICITY',
    currency: 'ZAR',
    reference: { label: 'Meter number', pattern: '^\\d{11}$', example: '45012345678' },
  },
  {
    id: 'skyline-airtime',
    name: 'Skyline Mobile airtime',
    category: 'AIRTIME',
    currency: 'ZAR',
    reference: { label: 'Phone number', pattern: '^0\\d{9}$', example: '0821234567' },
  },
  {
    id: 'riverside-water',
    name: 'Riverside Water',
    category: 'WATER',
    currency: 'ZAR',
    reference: { label: 'Account number', pattern: '^\\d{8}$', example: '20481234' },
  },
  {
    id: 'fibrelink',
    name: 'FibreLink home internet',
    category: 'INTERNET',
    currency: 'ZAR',
    reference: { label: 'Customer ID', pattern: '^\\d{9}$', example: '731234567' },
  },
  {
    id: 'starview-tv',
    name: 'StarView satellite TV',
    category: 'TV',
    currency: 'ZAR',
    reference: { label: 'Smartcard number', pattern: '^\\d{10}$', example: '4101234567' },
  },
  {
    id: 'nordlicht-energie',
    name: 'Nordlicht Energie (prepaid electricity)',
    category: 'ELECTRICITY',
    currency: 'EUR',
    reference: { label: 'Meter number', pattern: '^\\d{11}$', example: '10012345678' },
  },
];

const byId = new Map(billers.map((biller) => [biller.id, biller]));

export function findBiller(id: string): Biller | undefined {
  return byId.get(id);
}

/** Minor units of the biller's currency one kWh costs: units on an electricity receipt. */
export const tariffMinorUnitsPerKwh: Record<string, bigint> = { ZAR: 250n, EUR: 35n };
