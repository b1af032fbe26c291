/**
 * What `create` makes for an object, made once per object and forgotten with it (a WeakMap):
 * a request's DataLoaders keyed by its context (nothing cached outlives the request), a query
 * prepared for a database.
 */
export function oncePer<K extends object, V>(create: (key: K) => V): (key: K) => V {
  const made = new WeakMap<K, V>();
  return (key) => {
    let value = made.get(key);
    if (value === undefined) {
      value = create(key);
      made.set(key, value);
    }
    return value;
  };
}
