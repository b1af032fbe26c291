import type { Metrics } from '../metrics.ts';
import type { DatabaseHandle } from './database.ts';

/**
 * Samples a subgraph's database pool on each scrape, from the handle's own counts (no SQL):
 * `walletgraph_db_pool_connections{state}` (in_use: statements and transactions holding a
 * connection, at most the pool's size; idle: the rest of the pool, opened or not yet),
 * `walletgraph_db_pool_waiting_queries` (in flight beyond the pool's size) and
 * `walletgraph_db_pool_max_connections`. PGlite reports its size (1) alone: its use is not
 * counted. Returns the way to stop sampling.
 */
export function samplePoolUsage(metrics: Metrics, subgraph: string, db: DatabaseHandle): () => void {
  const connections = metrics.gauge({
    name: 'walletgraph_db_pool_connections',
    help: 'Connections of the database pool in use by a statement or transaction, and idle (sampled on scrape).',
    labelNames: ['subgraph', 'state'],
  });
  const inUse = connections.labels({ subgraph, state: 'in_use' });
  const idle = connections.labels({ subgraph, state: 'idle' });
  const max = metrics
    .gauge({
      name: 'walletgraph_db_pool_max_connections',
      help: 'Size of the database pool.',
      labelNames: ['subgraph'],
    })
    .labels({ subgraph });
  const waiting = metrics
    .gauge({
      name: 'walletgraph_db_pool_waiting_queries',
      help: 'Statements and transactions in flight beyond the pool size, waiting for a connection of their own (sampled on scrape).',
      labelNames: ['subgraph'],
    })
    .labels({ subgraph });
  return metrics.sampleOnScrape(() => {
    const usage = db.pool();
    max.set(usage.max);
    if (usage.inFlight === undefined) return;
    const used = Math.min(usage.inFlight, usage.max);
    inUse.set(used);
    idle.set(usage.max - used);
    waiting.set(Math.max(0, usage.inFlight - usage.max));
  });
}
