import type { Logger } from '@walletgraph/platform/logger';
import { MessageType, parseMessage } from 'graphql-ws';
import type { WebSocket, WebSocketServer } from 'ws';

/**
 * Drops every socket that did not answer the previous ping when the next one is due: a client
 * that vanished without closing would otherwise hold its subscriptions, and their Redis
 * channels, forever. graphql-ws's own keep-alive is off; this is the one liveness rule.
 */
export function pingEvery(wss: WebSocketServer, pingMs: number, logger: Logger): () => void {
  const alive = new WeakMap<WebSocket, boolean>();
  wss.on('connection', (socket) => {
    alive.set(socket, true);
    socket.on('pong', () => alive.set(socket, true));
  });
  const pinger = setInterval(() => {
    for (const socket of wss.clients) {
      if (alive.get(socket) === false) {
        logger.info('dropping a subscription socket that stopped answering pings');
        socket.terminate();
        continue;
      }
      alive.set(socket, false);
      socket.ping();
    }
  }, pingMs);
  pinger.unref();
  return () => clearInterval(pinger);
}

/**
 * Calls `onComplete` with the id of every `complete` a client sends, as it arrives. graphql-ws
 * calls its own onComplete only once the subscription has wound down, a few ticks later, and a
 * `subscribe` sent right after the `complete` (often in the same TCP read) would meanwhile be
 * refused as over the cap. Listeners added here run after graphql-ws's own.
 */
export function onClientComplete(
  wss: WebSocketServer,
  onComplete: (socket: WebSocket, id: string) => void,
): void {
  wss.on('connection', (socket) => {
    socket.on('message', (data) => {
      const id = completedId(String(data));
      if (id !== null) onComplete(socket, id);
    });
  });
}

/** The id of a graphql-ws `complete` message from the client, or null for any other message. */
function completedId(data: string): string | null {
  try {
    const message = parseMessage(data);
    return message.type === MessageType.Complete ? message.id : null;
  } catch {
    return null;
  }
}
