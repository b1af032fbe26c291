import { uuidv7Time } from './ids.ts';

export interface ProjectionReadOptions {
  /** How recently an id must have been minted to be waited for; default 10 s. */
  freshMs?: number;
  /** How long to wait for it at most; default 3 s. */
  waitMs?: number;
  /** How often to read again meanwhile; default 50 ms. */
  pollMs?: number;
}

/**
 * Reads a row that another service's event creates here (a projection: a wallet, a jar). A
 * client may name an object it created a moment ago — `openWallet`, then `deposit` into it —
 * before the event has arrived, and must not be told it does not exist. So when the row is
 * missing and the id is a UUIDv7 minted within `freshMs` (every id the services mint is one),
 * it is read again for up to `waitMs`; any other missing id is answered at once. An unknown
 * fresh id costs its caller the wait and tells nothing: existing objects were found at once.
 */
export async function readProjection<T>(
  id: string,
  read: () => Promise<T | null>,
  options: ProjectionReadOptions = {},
): Promise<T | null> {
  const { freshMs = 10_000, waitMs = 3_000, pollMs = 50 } = options;
  let row = await read();
  const minted = uuidv7Time(id)?.getTime();
  if (row !== null || minted === undefined || Date.now() - minted > freshMs) return row;
  const deadline = Date.now() + waitMs;
  while (row === null && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    row = await read();
  }
  return row;
}
