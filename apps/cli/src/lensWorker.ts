// One vocabulary slice of `lens --threads N`: rows [r0, r1) of W, read from the file straight into this
// thread's LM-head window; each block's logits go into the shared [count × V] buffer at columns r0 .. r1.
// Every logit depends only on its own row of W (core's fixed summation order), so the slices give
// exactly the logits of one thread.
import { closeSync, openSync, readSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { createLmHead } from "@logitstream/core";

/** What the main thread gives each slice. */
interface LensSliceData {
  readonly path: string;
  readonly begin: number;
  readonly dtype: "f32" | "f16" | "bf16";
  readonly d: number;
  readonly vocab: number;
  readonly r0: number;
  readonly r1: number;
  readonly block: number;
  readonly hidden: SharedArrayBuffer;
  readonly logits: SharedArrayBuffer;
}

const data = workerData as LensSliceData;
const port = parentPort!;
const rowBytes = data.d * (data.dtype === "f32" ? 4 : 2);
const slice = data.r1 - data.r0;
const head = createLmHead({ d: data.d, vocab: slice, dtype: data.dtype, maxCount: data.block });
const hidden = new Float32Array(data.hidden);
const logits = new Float32Array(data.logits);
const fd = openSync(data.path, "r");

port.on("message", (msg: { count: number } | { close: true }) => {
  if ("close" in msg) {
    closeSync(fd);
    port.close();
    return;
  }
  try {
    head.setHidden(hidden, msg.count);
    for (let r = 0; r < slice; r += head.windowRows) {
      const rows = Math.min(head.windowRows, slice - r);
      const win = head.window().subarray(0, rows * rowBytes);
      const at = data.begin + (data.r0 + r) * rowBytes;
      for (let got = 0; got < win.length; ) {
        const n = readSync(fd, win, got, win.length - got, at + got);
        if (n === 0)
          throw new Error(`${data.path}: the file ended inside row ${data.r0 + r} of the unembedding`);
        got += n;
      }
      head.pushWindow(r, rows);
    }
    for (let p = 0; p < msg.count; p++)
      logits.set(head.logits.subarray(p * slice, (p + 1) * slice), p * data.vocab + data.r0);
    port.postMessage({ ok: true });
  } catch (err) {
    port.postMessage({ ok: false, message: (err as Error).message });
  }
});
