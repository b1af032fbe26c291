/**
 * The live client's access token: the current one, and its renewal a margin before it expires.
 * The token is only read, never verified: the gateway verifies it.
 */

/** When a JWT expires (its `exp`, in ms since the epoch), or undefined for anything else. */
export function tokenExpiresAt(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const { exp } = JSON.parse(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '='))) as {
      exp?: unknown;
    };
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** setTimeout's longest delay (about 24.8 days); a longer one would fire at once. */
const longestTimeout = 2 ** 31 - 1;

export interface TokenKeeperOptions {
  token: string;
  renewToken?: () => Promise<string>;
  /** How long before `exp` to renew. */
  marginMs: number;
  /** Called after a scheduled renewal changed the token, to reconnect with it. */
  onRenewed: () => void;
}

export interface TokenKeeper {
  /** The token to send in the next `connection_init`. */
  current(): string;
  /** Whether a `renewToken` callback was given. */
  readonly renews: boolean;
  /**
   * Calls `renewToken` (one call at a time: concurrent callers share it), keeps its token and
   * schedules the next renewal from its `exp`. Rejects with what `renewToken` rejected with.
   */
  renew(): Promise<void>;
  /** Clears the renewal timer. */
  dispose(): void;
}

export function keepToken(options: TokenKeeperOptions): TokenKeeper {
  const { renewToken, marginMs, onRenewed } = options;
  let token = options.token;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let renewing: Promise<void> | undefined;
  let disposed = false;

  const schedule = () => {
    clearTimeout(timer);
    timer = undefined;
    const expiresAt = tokenExpiresAt(token);
    if (!renewToken || disposed || expiresAt === undefined) return;
    const delay = Math.min(longestTimeout, Math.max(0, expiresAt - marginMs - Date.now()));
    timer = setTimeout(() => {
      timer = undefined;
      // A failed scheduled renewal is not fatal: the gateway closes the socket with 4401 at
      // expiry, and the client tries renewToken once more then, ending its feeds if that fails.
      keeper.renew().then(
        () => disposed || onRenewed(),
        () => {},
      );
    }, delay);
  };

  const keeper: TokenKeeper = {
    current: () => token,
    renews: renewToken !== undefined,
    renew() {
      if (!renewToken) return Promise.reject(new Error('no renewToken was given'));
      renewing ??= renewToken()
        .then((renewed) => {
          token = renewed;
          schedule();
        })
        .finally(() => {
          renewing = undefined;
        });
      return renewing;
    },
    dispose() {
      disposed = true;
      clearTimeout(timer);
      timer = undefined;
    },
  };
  schedule();
  return keeper;
}
