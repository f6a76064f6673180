import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LogitstreamError } from "@logitstream/core";
import { afterAll, describe, expect, it } from "vitest";
import { loadGgufModel, ModelLoadError } from "../src/index.js";
import { MODEL_PATH } from "./model.js";

const dir = mkdtempSync(join(tmpdir(), "llama-load-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, bytes: Uint8Array | string): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

async function loadError(path: string): Promise<ModelLoadError> {
  const err = await loadGgufModel(path, { threads: 1 }).then(
    async (m) => {
      await m.dispose();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ModelLoadError);
  expect(err).toBeInstanceOf(LogitstreamError);
  const e = err as ModelLoadError;
  expect(e.code).toBe("E_MODEL_LOAD");
  expect(e.path).toBe(path);
  expect(e.message).toContain(JSON.stringify(path));
  return e;
}

describe("loadGgufModel's typed errors (never a crash)", () => {
  const model = readFileSync(MODEL_PATH);
  it.each([
    ["a missing file", () => join(dir, "missing.gguf"), /no such file/],
    ["a directory", () => dir, /not a regular file/],
    ["an empty file", () => file("empty.gguf", ""), /not a GGUF file .*empty file/],
    [
      "a text file",
      () => file("notes.gguf", "hello, world"),
      /not a GGUF file \(it starts with 0x68 0x65 0x6c 0x6c/,
    ],
    [
      "a truncated GGUF",
      () => file("trunc.gguf", model.subarray(0, model.length >> 1)),
      /llama\.cpp rejected it/,
    ],
    [
      "a GGUF header followed by garbage",
      () =>
        file(
          "garbage.gguf",
          Uint8Array.from([0x47, 0x47, 0x55, 0x46, 3, 0, 0, 0, ...new Array(64).fill(0xff)]),
        ),
      /llama\.cpp rejected it/,
    ],
  ])("%s", async (_name, make, pattern) => {
    const e = await loadError(make());
    expect(e.message).toMatch(pattern);
  });

  it("rejects a thread count that is not a positive integer", async () => {
    await expect(loadGgufModel(MODEL_PATH, { threads: 0 })).rejects.toThrow(/threads must be an integer ≥ 1/);
  });
});
