/**
 * Seeded randomness for fuzz tests. The seed is `AUTHLENS_FUZZ_SEED` when set, else drawn at
 * random; either way it is printed, and failure messages carry it, so a failing run replays
 * exactly: `AUTHLENS_FUZZ_SEED=<seed> vitest run <file>`.
 */

export interface Fuzz {
  seed: number;
  /** Uniform in [0, 1), like `Math.random()`, from the seed (mulberry32). */
  random(): number;
}

const MAX_SEED = 0xffff_ffff;

/** The seed to use: `AUTHLENS_FUZZ_SEED` (an integer 0–4294967295), else a random one. */
export function fuzzSeed(env: Record<string, string | undefined> = process.env): number {
  const raw = env.AUTHLENS_FUZZ_SEED;
  if (raw === undefined || raw === '') return Math.floor(Math.random() * (MAX_SEED + 1));
  if (!/^\d{1,10}$/.test(raw) || Number(raw) > MAX_SEED) {
    throw new Error(`AUTHLENS_FUZZ_SEED must be an integer 0–${MAX_SEED}, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

/** A generator for one test, announced as `<label>: fuzz seed <n>`. */
export function fuzz(label: string, seed = fuzzSeed()): Fuzz {
  console.info(`${label}: fuzz seed ${seed} (replay with AUTHLENS_FUZZ_SEED=${seed})`);
  let state = seed;
  return {
    seed,
    random() {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}
