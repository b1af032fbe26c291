import type { Viewer } from '@walletgraph/platform/auth/verifier';
import { closeCodes } from '@walletgraph/sdk/close-codes';
import type { WebSocket } from 'ws';

/** Why a socket of an ended session closes. */
export const SESSION_ENDED = 'Unauthorized: the session was ended; sign in again';

/** One authenticated socket: whose it is and which of its subscriptions hold a slot. */
export interface Session {
  viewer: Viewer;
  clientAddress: string;
  active: Set<string>;
  /** Ids whose slot was freed when the client's `complete` arrived, before graphql-ws's onComplete. */
  released: Set<string>;
  expiry: NodeJS.Timeout;
}

/**
 * The per-user caps of one gateway process: sockets and open subscriptions, `perUser` of each.
 * Both are counted here, by user, because a user's sockets each cost a session, a timer and
 * pings, and each subscription a Redis channel and a query per event.
 */
export interface SessionCaps {
  /** Counts a new socket for `userId`, or false when they hold `perUser` already. */
  admitSocket(userId: string): boolean;
  /** Counts a new subscription of `session`, or false when its user holds `perUser` already. */
  admitSubscription(session: Session, id: string): boolean;
  /** Frees a subscription's slot as soon as the client's `complete` arrives. */
  releaseEarly(session: Session, id: string): void;
  /** graphql-ws's onComplete: frees the slot unless `releaseEarly` did already. */
  completed(session: Session, id: string): void;
  /** The socket closed: its slots and its socket count are freed. */
  closed(session: Session): void;
}

export function createSessionCaps(perUser: number): SessionCaps {
  const subscriptions = new Map<string, number>();
  const sockets = new Map<string, number>();
  const add = (counts: Map<string, number>, userId: string, delta: number) => {
    const n = (counts.get(userId) ?? 0) + delta;
    if (n > 0) counts.set(userId, n);
    else counts.delete(userId);
  };
  const release = (session: Session, id: string) => {
    if (session.active.delete(id)) add(subscriptions, session.viewer.userId, -1);
  };
  return {
    admitSocket(userId) {
      if ((sockets.get(userId) ?? 0) >= perUser) return false;
      add(sockets, userId, 1);
      return true;
    },
    admitSubscription(session, id) {
      const { userId } = session.viewer;
      if ((subscriptions.get(userId) ?? 0) >= perUser) return false;
      session.active.add(id);
      add(subscriptions, userId, 1);
      return true;
    },
    releaseEarly(session, id) {
      if (!session.active.has(id)) return;
      release(session, id);
      session.released.add(id);
    },
    completed(session, id) {
      // Freed already when the client's `complete` arrived; the id may be in use again since.
      if (session.released.delete(id)) return;
      release(session, id);
    },
    closed(session) {
      add(sockets, session.viewer.userId, -1);
      add(subscriptions, session.viewer.userId, -session.active.size);
      session.active.clear();
      session.released.clear();
    },
  };
}

/** The longest delay a Node timer takes (about 24.8 days); a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Closes the socket with 4401 once the token expires, re-arming for lifetimes longer than a timer can wait. */
export function closeAtExpiry(socket: WebSocket, expiresAt: Date): NodeJS.Timeout {
  const left = expiresAt.getTime() - Date.now();
  const timer =
    left > MAX_TIMER_MS
      ? setTimeout(() => closeAtExpiry(socket, expiresAt), MAX_TIMER_MS)
      : setTimeout(
          () => socket.close(closeCodes.unauthorized, 'Unauthorized: the token expired'),
          Math.max(0, left),
        );
  timer.unref();
  return timer;
}
