/**
 * Moves a consumer's dead-lettered messages back to its queue, for operators:
 *
 *   AMQP_URL=amqp://guest:guest@127.0.0.1:5672 node platform/src/messaging/replay-dlq.ts <consumer> [--limit N]
 *
 * Run it after fixing whatever made the messages fail; they get a fresh set of retries.
 */
import { parseArgs } from 'node:util';
import { replayDeadLetters } from './amqp-replay.ts';

const usage = 'usage: node platform/src/messaging/replay-dlq.ts <consumer> [--limit N]   (reads AMQP_URL)';

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { limit: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const [consumer] = positionals;
  if (values.help || !consumer || positionals.length > 1) {
    console.error(usage);
    return 2;
  }
  const url = process.env.AMQP_URL;
  if (!url) {
    console.error(`AMQP_URL is not set\n${usage}`);
    return 2;
  }
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) {
    console.error(`--limit: expected a positive integer, got ${values.limit}`);
    return 2;
  }
  const moved = await replayDeadLetters(url, consumer, limit === undefined ? {} : { limit });
  console.log(`moved ${moved} message(s) from ${consumer}.dlq back to ${consumer}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
