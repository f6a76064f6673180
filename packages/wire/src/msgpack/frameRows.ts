import { DTYPE_BYTES, type Dtype } from "../frames.js";
import type { MsgpackFrameInfo } from "./scanMsgpackFrame.js";

/**
 * How many rows a scanned msgpack frame holds, from its headers alone: the `rows` field, else
 * `logits length / vocab`, else 1. Returns 1 for frames whose headers do not add up (the decoder then
 * rejects them), so the framer and the decoder always agree and a hostile `rows` can never make
 * anyone allocate more than the bytes that are actually there.
 */
export function frameRows(info: MsgpackFrameInfo): number {
  if (info.problem !== "" || info.logitsKind === 0 || info.logitsKind === 3) return 1;
  let elems = info.logitsLength;
  if (info.logitsKind === 1) {
    const dtype = (info.dtype ?? "f32") as Dtype;
    const bpe = dtype === "f32" || dtype === "f16" || dtype === "bf16" ? DTYPE_BYTES[dtype] : 0;
    if (bpe === 0 || elems % bpe !== 0) return 1;
    elems /= bpe;
  }
  const rows = info.rowsField;
  const vocab = info.vocabField;
  if (rows === -2 || vocab === -2 || rows === 0 || vocab === 0) return 1;
  if (rows > 0) {
    if (elems === 0 || elems % rows !== 0) return 1;
    if (vocab > 0 && rows * vocab !== elems) return 1;
    return rows;
  }
  if (vocab > 0 && elems % vocab === 0 && elems > 0) return elems / vocab;
  return 1;
}
