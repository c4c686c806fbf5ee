// A value made once per object: renderers keep texts and fragments of shared IR objects (chains, sets,
// matches, statements) by identity, so each is made once however many nodes have it.

/** The value kept in `cache` for `key`, made by `make` (and kept) the first time. */
export const keptIn = <K extends object, V>(cache: WeakMap<K, V>, key: K, make: (key: K) => V): V => {
  let value = cache.get(key);
  if (value === undefined) {
    value = make(key);
    cache.set(key, value);
  }
  return value;
};

/**
 * The value kept in `cache` under `key`, made by `make` (and kept) the first time. The map is emptied when it
 * holds more than `max` entries: a bound against pathological input, not an eviction policy.
 */
export const keptInBounded = <V>(
  cache: Map<string, V>,
  key: string,
  max: number,
  make: (key: string) => V,
): V => {
  let value = cache.get(key);
  if (value === undefined) {
    value = make(key);
    if (cache.size > max) cache.clear();
    cache.set(key, value);
  }
  return value;
};

/** `make` memoised by its string argument, in a map bounded as keptInBounded's: for texts that recur. */
export const memoByString = <V>(make: (key: string) => V, max: number): ((key: string) => V) => {
  const kept = new Map<string, V>();
  return (key) => keptInBounded(kept, key, max, make);
};
