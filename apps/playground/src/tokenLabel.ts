const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * How a token is shown in a bar or a tooltip: its text with whitespace made visible (· for a space,
 * ⏎ for a newline, ⇥ for a tab), or its bytes as ⟨E2 80⟩ when they are not whole UTF-8 characters (a
 * byte-level BPE token can hold part of a character).
 *
 * @param bytes - The token's bytes (the tokenizer's `tokenBytes`).
 * @returns A one-line label.
 * @example
 * ```ts
 * tokenLabel(new TextEncoder().encode(" the")); // "·the"
 * tokenLabel(new Uint8Array([0xe2, 0x80]));      // "⟨E2 80⟩"
 * ```
 */
export function tokenLabel(bytes: Uint8Array): string {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return `⟨${Array.from(bytes, (b) => b.toString(16).toUpperCase().padStart(2, "0")).join(" ")}⟩`;
  }
  return text.replaceAll(" ", "·").replaceAll("\n", "⏎").replaceAll("\t", "⇥").replaceAll("\r", "␍");
}
