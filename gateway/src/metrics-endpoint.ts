import { createServer } from 'node:http';
import { listen } from '@walletgraph/platform/http';
import { type Metrics, metricsHandler } from '@walletgraph/platform/metrics';
import express from 'express';

/** The gateway's Prometheus endpoint, on a port of its own. */
export interface MetricsEndpoint {
  /** `http://host:port/metrics`. */
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Serves `GET /metrics` (the process's one registry) on `host:port` and nothing else: a port
 * apart from the public one, so a scraper reaches it on the private network and clients never
 * do. Everything else answers 404.
 */
export async function serveMetrics(metrics: Metrics, port: number, host: string): Promise<MetricsEndpoint> {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', metricsHandler(metrics));
  app.use((_req, res) => {
    res.status(404).end();
  });
  const server = createServer(app);
  const base = await listen(server, port, host);
  return {
    url: `${base}/metrics`,
    async stop() {
      // A scraper keeps its connection alive between scrapes: close it rather than wait for it.
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}
