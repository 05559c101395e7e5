/** Seeded randomness for reproducible histories (mulberry32), and seeds from the environment. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `SEED=7` reruns one seed; `SEEDS=1-200` runs a range; otherwise `defaults`. */
export function seedsFromEnv(defaults: number[]): number[] {
  if (process.env.SEED) return [Number(process.env.SEED)];
  const range = /^(\d+)-(\d+)$/.exec(process.env.SEEDS ?? '');
  if (!range) return defaults;
  const [from, to] = [Number(range[1]), Number(range[2])];
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
