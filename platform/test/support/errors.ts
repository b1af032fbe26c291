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
