// One string order for every sort whose result is printed or compared: UTF-16 code-unit order, the order
// `sort()` uses without a comparator. It does not depend on the locale, as `localeCompare` does, and for
// the ASCII names, addresses and keys calisim sorts it is the byte order of Felix's Go sorts.

/** Three-way comparison of two strings in code-unit order. */
export const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
