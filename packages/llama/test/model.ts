// Shared by the tests: the real GGUF fixture and node-llama-cpp's own API as the reference.
import { fileURLToPath } from "node:url";
import { getLlama, type LlamaModel } from "node-llama-cpp";

export const MODEL_PATH = fileURLToPath(new URL("./fixtures/llama-2-tiny-random.gguf", import.meta.url));
export const V = 32000;

/** node-llama-cpp's public API on the same file: a separate model and context, nothing of ours. */
export async function referenceModel(): Promise<LlamaModel> {
  const llama = await getLlama({ gpu: false, build: "never", logLevel: "error" as never });
  return llama.loadModel({ modelPath: MODEL_PATH, gpuLayers: 0 });
}

/** node-llama-cpp's logits for the token after `tokens` (its controlledEvaluate → Map), as a dense row. */
export async function referenceLogits(model: LlamaModel, tokens: readonly number[]): Promise<Float32Array> {
  const context = await model.createContext({ contextSize: 512, threads: 1, sequences: 1 });
  try {
    const seq = context.getSequence();
    const input = [...tokens.slice(0, -1), [tokens.at(-1)!, { generateNext: { logits: true } }] as const];
    const out = await seq.controlledEvaluate(input as never);
    const map = (out.at(-1) as { next: { logits: Map<number, number> } }).next.logits;
    const row = new Float32Array(V).fill(Number.NaN);
    for (const [id, logit] of map) row[id] = logit;
    return row;
  } finally {
    await context.dispose();
  }
}

/** node-llama-cpp's own greedy continuation (temperature 0) of `tokens`, `n` tokens long. */
export async function referenceGreedy(
  model: LlamaModel,
  tokens: readonly number[],
  n: number,
): Promise<number[]> {
  const context = await model.createContext({ contextSize: 512, threads: 1, sequences: 1 });
  try {
    const seq = context.getSequence();
    const out: number[] = [];
    for await (const t of seq.evaluate(tokens as never, { temperature: 0 })) {
      out.push(t as number);
      if (out.length === n) break;
    }
    return out;
  } finally {
    await context.dispose();
  }
}

export function maxAbsDiff(a: Float32Array, b: Float32Array, bOffset = 0): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[bOffset + i]!));
  return m;
}
