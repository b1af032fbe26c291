import { randomBytes } from 'node:crypto';
import { type IncomingHttpHeaders, request } from 'node:http';
import type { Socket } from 'node:net';
import { createRedisCounterStore } from '@walletgraph/gateway/limits/redis-store';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BareGateway, startBareGateway } from '../../support/gateway.ts';
import { postGraphQL } from '../../support/http.ts';
import { freePort } from '../../support/ports.ts';
import { openTestRedis, type TestRedis, unreachableRedis } from '../../support/redis.ts';

/** How the gateway answered a WebSocket upgrade: switched protocols (the socket), or refused over HTTP. */
type Upgrade =
  | { accepted: true; socket: Socket }
  | { accepted: false; status: number; headers: IncomingHttpHeaders; body: string };

/**
 * Asks for a graphql-ws socket, as a browser's WebSocket does (an HTTP GET with Upgrade), from
 * one local address: every 127.x.y.z is this machine, and a different client to the gateway.
 */
function upgrade(url: string, from: string): Promise<Upgrade> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      agent: false,
      localAddress: from,
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-key': randomBytes(16).toString('base64'),
        'sec-websocket-version': '13',
        'sec-websocket-protocol': 'graphql-transport-ws',
      },
    });
    req.once('upgrade', (res, socket) => {
      expect(res.statusCode).toBe(101);
      resolve({ accepted: true, socket });
    });
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          accepted: false,
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.once('error', reject);
    req.end();
  });
}

function closeAll(upgrades: Upgrade[]) {
  for (const u of upgrades) if (u.accepted) u.socket.destroy();
}

describe('WebSocket upgrades per client address, counted in Redis', () => {
  let redis: TestRedis;
  let gateway: BareGateway;
  beforeAll(async () => {
    redis = await openTestRedis('upgrade-limit');
    gateway = await startBareGateway(
      { WS_UPGRADES_PER_ADDRESS: '3', RATE_LIMIT_PER_ADDRESS: '100' },
      { counterStore: createRedisCounterStore({ redis: redis.redis, prefix: redis.prefix }) },
    );
  });
  afterAll(async () => {
    await gateway?.[Symbol.asyncDispose]();
    await redis?.[Symbol.asyncDispose]();
  });

  it('answers the fourth upgrade in a minute from one address with 429, Retry-After and RATE_LIMITED, before accepting it', async () => {
    const upgrades: Upgrade[] = [];
    try {
      for (let i = 0; i < 3; i++) upgrades.push(await upgrade(gateway.url, '127.0.3.1'));
      expect(upgrades.map((u) => u.accepted)).toEqual([true, true, true]);

      const refused = await upgrade(gateway.url, '127.0.3.1');
      upgrades.push(refused);
      if (refused.accepted) throw new Error('the fourth upgrade was accepted');
      expect(refused.status).toBe(429);
      const retryAfter = Number(refused.headers['retry-after']);
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(JSON.parse(refused.body)).toEqual({
        errors: [
          {
            message: expect.stringMatching(/too many requests/),
            extensions: { code: 'RATE_LIMITED', retryAfterSeconds: retryAfter },
          },
        ],
      });
    } finally {
      closeAll(upgrades);
    }
  });

  it('counts each address on its own, and apart from its HTTP requests', async () => {
    const upgrades: Upgrade[] = [];
    try {
      for (let i = 0; i < 4; i++) upgrades.push(await upgrade(gateway.url, '127.0.3.2'));
      expect(upgrades.map((u) => u.accepted)).toEqual([true, true, true, false]);
      upgrades.push(await upgrade(gateway.url, '127.0.3.3'));
      expect(upgrades.at(-1)!.accepted).toBe(true);
      const http = await postGraphQL(gateway.url, { query: '{ __typename }' }, { from: '127.0.3.2' });
      expect(http.status).toBe(200);
    } finally {
      closeAll(upgrades);
    }
  });
});

describe('WebSocket upgrades while Redis is unreachable', () => {
  let redis: Redis;
  let gateway: BareGateway;
  beforeAll(async () => {
    redis = await unreachableRedis(await freePort());
    gateway = await startBareGateway(
      { WS_UPGRADES_PER_ADDRESS: '1' },
      { counterStore: createRedisCounterStore({ redis }) },
    );
  });
  afterAll(async () => {
    await gateway?.[Symbol.asyncDispose]();
    redis?.disconnect();
  });

  it('fails open, like the request limits: upgrades are accepted, unlimited', async () => {
    const upgrades: Upgrade[] = [];
    try {
      for (let i = 0; i < 3; i++) upgrades.push(await upgrade(gateway.url, '127.0.3.4'));
      expect(upgrades.map((u) => u.accepted)).toEqual([true, true, true]);
    } finally {
      closeAll(upgrades);
    }
  });
});
