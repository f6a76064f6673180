import type { Tokenizer } from "@logitstream/core";
import { TestScheduler } from "rxjs/testing";
import { expect } from "vitest";

/** A TestScheduler whose assertions are vitest deep equality. */
export function testScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => {
    expect(actual).toEqual(expected);
  });
}

/** A tokenizer over an explicit table: token id → its bytes. */
export function tableTokenizer(table: readonly (readonly number[] | string)[]): Tokenizer {
  const bytes = table.map((t) => (typeof t === "string" ? new TextEncoder().encode(t) : Uint8Array.from(t)));
  return {
    vocabSize: bytes.length,
    tokenBytes: (id) => bytes[id]!,
    encode: () => {
      throw new Error("not used");
    },
  };
}
