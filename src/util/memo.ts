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
