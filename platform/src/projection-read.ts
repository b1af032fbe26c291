import { uuidv7Time } from './ids.ts';

/** How a projection read waits for a row that may still be on its way. */
export interface ProjectionReadOptions<T> {
  /**
   * What the caller waits for; default: any row. A caller that may only use its own object
   * waits for one it owns, so another user's fresh object costs the same wait as an unknown id
   * and the answer's timing tells nothing about it.
   */
  until?: (row: T | null) => boolean;
  /** How recently an id must have been minted to be waited for; default 10 s. */
  freshMs?: number;
  /** How long to wait for it at most; default 2 s. */
  waitMs?: number;
  /** How often to read again meanwhile; default 100 ms. */
  pollMs?: number;
}

/**
 * Reads a row that another service's event creates here (a projection: a wallet, a jar). A
 * client may name an object it created a moment ago — `openWallet`, then `deposit` into it —
 * before the event has arrived, and must not be told it does not exist. So when the row is not
 * what the caller waits for and the id is a UUIDv7 minted within `freshMs` (every id the
 * services mint is one), it is read again for up to `waitMs`; any other id is answered at once.
 * Never call it inside a database transaction: the wait would hold the transaction open (and in
 * embedded mode block the very consumer that writes the row).
 */
export async function readProjection<T>(
  id: string,
  read: () => Promise<T | null>,
  options: ProjectionReadOptions<T> = {},
): Promise<T | null> {
  const { until = (row: T | null) => row !== null, freshMs = 10_000, waitMs = 2_000, pollMs = 100 } = options;
  let row = await read();
  const minted = uuidv7Time(id)?.getTime();
  if (until(row) || minted === undefined || Date.now() - minted > freshMs) return row;
  const deadline = Date.now() + waitMs;
  while (!until(row) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    row = await read();
  }
  return row;
}
