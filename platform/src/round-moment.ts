import { parseArgs } from 'node:util';

/**
 * The moment a by-hand round runs as of (`pnpm jars:periods`, `pnpm schedules:run`): `--at <ISO
 * date-time>`, or now. A moment still to come acts early, and never again (a period's sweep, a
 * scheduled run: their keys are taken), so it is refused without `--future`, which rehearsals on a
 * copy and tests moving the clock pass. A bad argument prints why and exits 2.
 */
export function roundMoment(args: string[] = process.argv.slice(2), now: Date = new Date()): Date {
  const { values } = parseArgs({ args, options: { at: { type: 'string' }, future: { type: 'boolean' } } });
  const at = values.at ? new Date(values.at) : now;
  if (Number.isNaN(at.getTime())) {
    console.error(`--at: "${values.at}" is not a date-time such as 2026-12-01T00:05:00Z`);
    process.exit(2);
  }
  if (at.getTime() > now.getTime() && !values.future) {
    console.error(`--at: ${at.toISOString()} is in the future; add --future if that is really meant`);
    process.exit(2);
  }
  return at;
}
