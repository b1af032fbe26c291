import type { IncomingMessage } from 'node:http';
import { subgraphDefinitions } from '@walletgraph/launcher/subgraphs';
import { loadConfig, subgraphNames } from '@walletgraph/platform/config';
import { serveSubgraph } from '@walletgraph/platform/http';
import { createRuntime } from '@walletgraph/platform/runtime';
import { testLogger } from '@walletgraph/platform/test/support/infra';
import { createSubgraphHarness } from '@walletgraph/platform/test/support/subgraph-harness';
import { describe, expect, it } from 'vitest';
import { startBareGateway } from '../support/gateway.ts';

/** Counts the /readyz requests a server receives, calling `onEach` with the count so far. */
function countReadyz(server: { on(event: 'request', listener: (req: IncomingMessage) => void): unknown }) {
  const counter = { hits: 0, onEach: (_hits: number) => {} };
  server.on('request', (req) => {
    if (req.url !== '/readyz') return;
    counter.hits++;
    counter.onEach(counter.hits);
  });
  return counter;
}

type Readyz = { status: string; checks: Record<string, string> };

describe('the gateway’s public /readyz', () => {
  it('answers twenty concurrent hits with one fan-out to the subgraphs', async () => {
    // The real wallet subgraph over a real Postgres database, served over HTTP as in real mode;
    // the other four are a closed port, so the gateway answers 503 after asking them all.
    await using wallet = await createSubgraphHarness(subgraphDefinitions.wallet);
    const runtime = await createRuntime(loadConfig({ LOG_LEVEL: 'silent' }), testLogger('readyz'));
    const walletHttp = await serveSubgraph(wallet.service, runtime, { port: 0, host: '127.0.0.1' });
    try {
      const atWallet = countReadyz(walletHttp.server);
      await using gateway = await startBareGateway({ WALLET_URL: walletHttp.url });
      const atGateway = countReadyz(gateway.http.server);

      // The wallet subgraph answers only once all twenty hits have reached the gateway: however
      // the machine schedules them, every one arrives while the first fan-out is still out.
      const allArrived = Promise.withResolvers<void>();
      atGateway.onEach = (hits) => hits === 20 && allArrived.resolve();
      const readiness = wallet.service.readiness.bind(wallet.service);
      wallet.service.readiness = async () => {
        await allArrived.promise;
        return readiness();
      };

      const readyz = new URL('/readyz', gateway.url);
      const answers = await Promise.all(Array.from({ length: 20 }, () => fetch(readyz)));
      const bodies = (await Promise.all(answers.map((a) => a.json()))) as Readyz[];

      expect(atGateway.hits).toBe(20);
      expect(atWallet.hits).toBe(1);
      expect(answers.map((a) => a.status)).toEqual(Array(20).fill(503));
      expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
      expect(bodies[0]!.checks.wallet).toBe('ok');
      expect(bodies[0]!.checks.identity).not.toBe('ok');
    } finally {
      await walletHttp.stop();
      await runtime.close();
    }
  });

  it('names each check in production, but not why one failed', async () => {
    await using gateway = await startBareGateway({ NODE_ENV: 'production' });
    const answer = await fetch(new URL('/readyz', gateway.url));
    expect(answer.status).toBe(503);
    const body = (await answer.json()) as Readyz;
    expect(body.status).toBe('unavailable');
    expect(body.checks).toEqual({
      ...Object.fromEntries(subgraphNames.map((name) => [name, 'unavailable'])),
      redis: 'ok',
    });
  });
});
