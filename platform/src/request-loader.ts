import DataLoader from 'dataloader';
import { oncePer } from './once-per.ts';

/**
 * A DataLoader made once per request context and forgotten with it: every key asked for in one
 * tick reaches `batch` together, and nothing read for one request answers another. `batch` gets
 * the context, so a loader may read the viewer; `options` are DataLoader's own (a `cacheKeyFn`
 * for object keys).
 */
export function requestLoader<Ctx extends object, K, V, C = K>(
  batch: (ctx: Ctx, keys: readonly K[]) => Promise<readonly (V | Error)[]>,
  options?: DataLoader.Options<K, V, C>,
): (ctx: Ctx) => DataLoader<K, V, C> {
  return oncePer((ctx: Ctx) => new DataLoader<K, V, C>((keys) => batch(ctx, keys), options));
}
