import { createClient } from './client.ts';
import { LiveCursorDocument } from './gql/graphql.ts';

/**
 * Where the caller's live feed stands now (`Query.liveCursor`), read over HTTP from the gateway's
 * `/graphql`: a subscription that starts after it misses nothing from this moment, even an event
 * that happens before its socket is up or while it is down before its first event. Undefined when
 * it cannot be read (the subscription then starts from when the gateway sets it up).
 */
export async function fetchLiveCursor(url: string, token: string): Promise<string | undefined> {
  try {
    const { data } = await createClient({ url, token }).request(LiveCursorDocument);
    return data?.liveCursor ?? undefined;
  } catch {
    return undefined;
  }
}
