/**
 * "Did you mean": existing names that differ from a wanted one only in case, then by a small
 * edit distance. Names only, never values.
 */
export function suggestNames(wanted: string, existing: Iterable<string>, max = 3): string[] {
  const lower = wanted.toLowerCase();
  const caseOnly: string[] = [];
  const near: { name: string; d: number }[] = [];
  const limit = Math.max(1, Math.min(3, Math.floor(wanted.length / 3)));
  for (const name of existing) {
    if (name === wanted) continue;
    const l = name.toLowerCase();
    if (l === lower) {
      caseOnly.push(name);
      continue;
    }
    if (Math.abs(name.length - wanted.length) > limit) continue;
    const d = distance(lower, l, limit);
    if (d <= limit) near.push({ name, d });
  }
  near.sort((a, b) => a.d - b.d || (a.name < b.name ? -1 : 1));
  return [...caseOnly.sort(), ...near.map((n) => n.name)].slice(0, max);
}

/** Damerau-free Levenshtein distance, giving up (returning limit + 1) past `limit`. */
export function distance(a: string, b: string, limit: number): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      if (v < best) best = v;
    }
    if (best > limit) return limit + 1;
    prev = cur;
  }
  return prev[b.length] as number;
}
