/**
 * Sliding windows over a token sequence longer than a model's context, for `score --text` and `logits`.
 *
 * Row i is the model's distribution for token i + 1 given the tokens before it (a sequence of T tokens
 * has rows 0…T−1; the last has no target). Window w covers tokens [start, end) with end − start ≤ context,
 * and starts `stride` tokens after the previous one. Each row is taken once, from the first window that
 * holds it: window 0 gives rows [0, end₀), window w the rows [end_{w−1}, end_w). So every row after the
 * first window sees at least `context − stride` tokens of context — the strided evaluation of Hugging Face's
 * perplexity guide; `stride = context` gives disjoint windows (llama.cpp's perplexity tool also uses disjoint
 * chunks, but scores only their second halves).
 */
interface TextWindow {
  /** First token of the window. */
  readonly start: number;
  /** One past its last token. */
  readonly end: number;
  /** First row this window contributes (global). */
  readonly firstRow: number;
}

/**
 * The windows for `tokens` tokens.
 *
 * @param tokens sequence length T (≥ 0)
 * @param context window length N ≥ 1
 * @param stride tokens between window starts, 1 ≤ S ≤ N
 * @example
 * planWindows(10, 4, 2); // [{0,4,0}, {2,6,4}, {4,8,6}, {6,10,8}]
 */
export function planWindows(tokens: number, context: number, stride: number): TextWindow[] {
  const out: TextWindow[] = [];
  let taken = 0;
  for (let start = 0; taken < tokens; start += stride) {
    const end = Math.min(tokens, start + context);
    out.push({ start, end, firstRow: taken });
    taken = end;
  }
  return out;
}
