// A table by name whose values are made from their sources when first asked for, and kept: a ruleset's
// hundreds of IP sets are compiled (tracer) or read into ranges (flow space) only when a walk reaches them.

/** Get only: nothing iterates such a table. */
export interface Lookup<T> {
  readonly get: (name: string) => T | undefined;
}

/** `sources` by name (the last of a repeated name wins, as a Map built from them), made by `make` on first use. */
export const lazyLookup = <S, T>(
  sources: Iterable<readonly [string, S]>,
  make: (source: S) => T,
): Lookup<T> => {
  const byName = new Map(sources);
  const made = new Map<string, T>();
  return {
    get: (name) => {
      let value = made.get(name);
      if (value === undefined) {
        const source = byName.get(name);
        if (source === undefined) return undefined;
        value = make(source);
        made.set(name, value);
      }
      return value;
    },
  };
};
