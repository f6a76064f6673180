// A worker decodes every chunk of a stream into one reused buffer: a fresh rows × vocab Float32Array per
// task (twice the size of float16 input) was garbage that piled up between collections — ~100 MB per
// worker in the CLI's 2 GiB float16 pipe test. The results are those of a fresh decode.
import { scoreBatch } from "@logitstream/core";
import { type ByteChunk, encodeRaw, frameChunks } from "@logitstream/wire";
import { describe, expect, it } from "vitest";
import { defaultKernels } from "../src/defaultKernels.js";
import type { Kernels } from "../src/kernels.js";
import { runTask } from "../src/runTask.js";
import { batches } from "./helpers.js";

describe("runTask on byte chunks", () => {
  it("decodes every chunk into the same worker-local buffer, with the results of a fresh decode", async () => {
    const V = 96;
    const [all] = [...batches(48, 48, V)];
    const chunks: ByteChunk[] = [];
    for await (const c of frameChunks([encodeRaw(all!, "f16")], {
      format: "f16",
      vocab: V,
      maxBatchRows: 16,
    }))
      chunks.push(c);
    expect(chunks).toHaveLength(3);
    const buffers: ArrayBufferLike[] = [];
    const kernels: Kernels = {
      ...defaultKernels,
      decodeChunkPrefix: (chunk, opts) => {
        const d = defaultKernels.decodeChunkPrefix(chunk, opts);
        buffers.push(d.batch.data.buffer);
        return d;
      },
    };
    for (const chunk of chunks) {
      const out = runTask(
        { job: { kind: "score", arrays: true }, firstRow: chunk.firstRow, rows: chunk.rows, chunk },
        kernels,
      );
      // The reference: a fresh decode of the same chunk, scored by the core.
      const fresh = defaultKernels.decodeChunkPrefix(chunk).batch;
      const ref = scoreBatch(fresh.data, fresh.rows, fresh.vocab, null, { firstRow: fresh.firstRow });
      expect(out.entropies).toEqual(ref.entropies);
    }
    expect(buffers).toHaveLength(3);
    expect(buffers[1]).toBe(buffers[0]);
    expect(buffers[2]).toBe(buffers[0]);
  });
});
