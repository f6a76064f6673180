// A float64 reference for the records the CLI writes, written from the design's definitions
// (docs: "Core semantics"), independent of @logitstream/core.

/** log_softmax in float64: x_i − max − log Σ exp(x_j − max), summed in index order. */
export function refLogSoftmax(row: readonly number[]): number[] {
  let max = Number.NEGATIVE_INFINITY;
  for (const x of row) if (x > max) max = x;
  let sum = 0;
  for (const x of row) sum += Math.exp(x - max);
  const lse = Math.log(sum);
  return row.map((x) => x - max - lse);
}

/** softmax in float64. */
export function refSoftmax(row: readonly number[]): number[] {
  return refLogSoftmax(row).map(Math.exp);
}

/** KL(softmax(a) ‖ softmax(b)) from the definition, float64. */
export function refKl(a: readonly number[], b: readonly number[]): number {
  const p = refSoftmax(a);
  const q = refSoftmax(b);
  let kl = 0;
  for (let i = 0; i < p.length; i++) if (p[i]! > 0) kl += p[i]! * Math.log(p[i]! / q[i]!);
  return kl;
}

/** 1 + the number of tokens with a strictly higher logit. */
export function refRank(row: readonly number[], token: number): number {
  let r = 1;
  for (const x of row) if (x > row[token]!) r++;
  return r;
}

/** Token ids by decreasing logit, ties to the lower id. */
export function refOrder(row: readonly number[]): number[] {
  return row.map((_, i) => i).sort((a, b) => row[b]! - row[a]! || a - b);
}

/** The greedy token: highest logit, ties to the lower id. */
export function refArgmax(row: readonly number[]): number {
  return refOrder(row)[0]!;
}

/** Entropy −Σ p log p in nats (0 · log 0 = 0). */
export function refEntropy(row: readonly number[]): number {
  const lp = refLogSoftmax(row);
  let h = 0;
  for (const l of lp) if (l > Number.NEGATIVE_INFINITY) h -= Math.exp(l) * l;
  return h;
}
