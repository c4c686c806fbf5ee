// "Did you mean ...?" for misspelt enum values and field names.

const distance = (a: string, b: string): number => {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
};

/** The candidate equal ignoring case, else the closest one within two edits (none if ambiguous). */
export const suggest = (input: string, candidates: readonly string[]): string | undefined => {
  const lower = input.toLowerCase();
  const sameCase = candidates.find((c) => c.toLowerCase() === lower);
  if (sameCase !== undefined) return sameCase;
  const scored = candidates
    .map((c) => ({ c, d: distance(lower, c.toLowerCase()) }))
    .filter((x) => x.d <= Math.min(2, Math.floor(input.length / 2)))
    .sort((x, y) => x.d - y.d);
  const best = scored[0];
  if (best === undefined) return undefined;
  return scored[1]?.d === best.d ? undefined : best.c;
};
