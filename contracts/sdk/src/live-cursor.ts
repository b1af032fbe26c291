/**
 * Where the caller's live feed stands now (`Query.liveCursor`), read over HTTP from the gateway's
 * `/graphql`: a subscription that starts after it misses nothing from this moment, even an event
 * that happens before its socket is up or while it is down before its first event. Undefined when
 * it cannot be read (the subscription then starts from when the gateway sets it up).
 */
export async function fetchLiveCursor(url: string, token: string): Promise<string | undefined> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: 'query LiveCursor { liveCursor }' }),
    });
    if (!response.ok) return undefined;
    const body = (await response.json()) as { data?: { liveCursor?: unknown } | null };
    const cursor = body.data?.liveCursor;
    return typeof cursor === 'string' ? cursor : undefined;
  } catch {
    return undefined;
  }
}
