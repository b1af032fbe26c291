import { DomainError } from '../../src/errors.ts';

/** The DomainError `work` throws, for asserting its code and field; fails when it throws none (or another error). */
export function domainErrorOf(work: () => unknown): DomainError {
  try {
    work();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError, but nothing was thrown');
}

/** The code and field of the DomainError `work` throws (see domainErrorOf). */
export function refusalOf(work: () => unknown): { code: string; field: unknown } {
  const error = domainErrorOf(work);
  return { code: error.code, field: error.details.field };
}
