import { DomainError, notFound } from '@walletgraph/platform/errors';
import { requireViewer } from '@walletgraph/platform/subgraph';
import type { TransactionsContext } from '../context.ts';
import type { PayableBiller } from '../domain/bill-payments.ts';
import type { BillerCategory, BillerEntry } from './biller-client.ts';

/** A biller as the API shows it (`Biller` in schema.graphql). */
export interface BillerView {
  id: string;
  name: string;
  category: BillerCategory;
  currency: string;
  referenceLabel: string;
  referencePattern: string;
}

/** A reference the biller knows, with the customer it names (`BillCustomer`). */
export interface BillCustomerView {
  biller: BillerView;
  reference: string;
  customerName: string;
}

const invalidReference = (biller: BillerEntry) =>
  new DomainError('INVALID_REFERENCE', `not a ${biller.reference.label.toLowerCase()} ${biller.name} knows`, {
    field: 'reference',
  });

function viewOf(biller: BillerEntry): BillerView {
  return {
    id: biller.id,
    name: biller.name,
    category: biller.category,
    currency: biller.currency,
    referenceLabel: biller.reference.label,
    referencePattern: biller.reference.pattern.source,
  };
}

/** `billers(category)`: the biller's catalog, optionally of one category. */
export async function listBillers(
  ctx: TransactionsContext,
  category: BillerCategory | null,
): Promise<BillerView[]> {
  requireViewer(ctx);
  const catalog = await ctx.services.biller.catalog();
  return catalog.filter((biller) => category === null || biller.category === category).map(viewOf);
}

/**
 * `validateBillReference`: the pattern is checked here first, so a mistyped reference costs the
 * biller no call (and is answered even while the biller is down, once the catalog is cached).
 */
export async function validateBillReference(
  ctx: TransactionsContext,
  request: { billerId: string; reference: string },
): Promise<BillCustomerView> {
  requireViewer(ctx);
  const catalog = await ctx.services.biller.catalog();
  const biller = catalog.find((entry) => entry.id === request.billerId);
  if (!biller) throw notFound('biller');
  if (!biller.reference.pattern.regex.test(request.reference)) throw invalidReference(biller);
  const verdict = await ctx.services.biller.validate(biller.id, request.reference);
  switch (verdict.kind) {
    case 'VALID':
      return { biller: viewOf(biller), reference: request.reference, customerName: verdict.customerName };
    case 'INVALID_REFERENCE':
      throw invalidReference(biller);
    // Gone from the biller since the catalog was cached: as unknown as a biller never listed.
    case 'UNKNOWN_BILLER':
      throw notFound('biller');
  }
}

/**
 * A biller by its catalog id, for fields that name one (`Operation.biller`); null once it has left
 * the catalog. No viewer check: the field's parent was already checked.
 */
export async function billerById(
  ctx: TransactionsContext,
  billerId: string | null,
): Promise<BillerView | null> {
  if (billerId === null) return null;
  const catalog = await ctx.services.biller.catalog();
  const biller = catalog.find((entry) => entry.id === billerId);
  return biller ? viewOf(biller) : null;
}

/**
 * A biller of the catalog as a payment needs it (payBill, a scheduled bill); NOT_FOUND naming
 * `field` when the catalog has none with this id.
 */
export async function findPayableBiller(
  ctx: TransactionsContext,
  billerId: string,
  field: string,
): Promise<PayableBiller> {
  const catalog = await ctx.services.biller.catalog();
  const entry = catalog.find((b) => b.id === billerId);
  if (!entry) throw new DomainError('NOT_FOUND', `${field}: biller not found`, { field });
  return {
    id: entry.id,
    name: entry.name,
    currency: entry.currency,
    referenceLabel: entry.reference.label,
    referencePattern: entry.reference.pattern.regex,
  };
}
