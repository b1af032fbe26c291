const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether a client-supplied id is a UUID. Ids that are not are unknown ids: callers answer
 * "not found" without querying (Postgres would reject the cast).
 */
export function isUuid(id: string): boolean {
  return uuid.test(id);
}
