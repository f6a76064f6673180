/**
 * The three modified Kneser-Ney discounts [D₁, D₂, D₃₊] for one n-gram order, estimated from its
 * count-of-counts.
 *
 * Method (Chen & Goodman 1998, eq. 26): with nᵣ the number of n-grams whose count is exactly r,
 * Y = n₁ / (n₁ + 2 n₂), D₁ = 1 − 2Y n₂/n₁, D₂ = 2 − 3Y n₃/n₂, D₃₊ = 3 − 4Y n₄/n₃. When one of n₁…n₄
 * is zero (tiny corpora) the estimate is undefined and the single absolute discount D = Y of
 * Ney, Essen & Kneser (1994) is used for all three, or 0.5 when n₁ or n₂ is zero too. Each discount
 * is clamped to [0.01, r] so that a seen n-gram keeps positive mass and the backoff weight stays
 * positive.
 *
 * References: Kneser & Ney 1995; Chen & Goodman 1998, "An Empirical Study of Smoothing Techniques
 * for Language Modeling", TR-10-98, §3 and eq. 26.
 *
 * @param counts the counts of every n-gram of the order (zeros are ignored)
 * @returns [D₁, D₂, D₃₊]
 * @example
 * kneserNeyDiscounts(Uint32Array.of(1, 1, 1, 1, 2, 2, 3, 4)); // n₁..n₄ = 4,2,1,1 → [0.5, 1.25, 1]
 */
export function kneserNeyDiscounts(counts: ArrayLike<number>): [number, number, number] {
  let n1 = 0;
  let n2 = 0;
  let n3 = 0;
  let n4 = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i] as number;
    if (c === 1) n1++;
    else if (c === 2) n2++;
    else if (c === 3) n3++;
    else if (c === 4) n4++;
  }
  if (n1 === 0 || n2 === 0) return [0.5, 0.5, 0.5];
  const y = n1 / (n1 + 2 * n2);
  if (n3 === 0 || n4 === 0) return [clamp(y, 1), clamp(y, 2), clamp(y, 3)];
  return [clamp(1 - (2 * y * n2) / n1, 1), clamp(2 - (3 * y * n3) / n2, 2), clamp(3 - (4 * y * n4) / n3, 3)];
}

function clamp(d: number, max: number): number {
  return Math.min(Math.max(d, 0.01), max);
}
