/** Tokens that attach to the previous word (no space before them). */
const ATTACH_LEFT = new Set([",", ".", ";", ":", "!", "?", ")", "]", "''", "'"]);
/** Tokens after which the next word attaches (no space after them). */
const ATTACH_RIGHT = new Set(["``", "(", "[", "`"]);

/**
 * Brown-corpus tagged words → plain running text: `The/at jury/nn said/vbd ``/`` no/at ''/'' ./.`
 * becomes `The jury said "no".`
 *
 * Method: drop each word's part-of-speech tag (the text after its last `/`), turn the corpus's
 * typewriter quotes `` `` `` and `''` into `"` (and `` ` `` into `'`), and join with single spaces
 * except before closing punctuation and after opening quotes and brackets. Words keep their case;
 * headlines (`-hl` tags) are kept as text.
 *
 * References: Francis & Kučera 1964/1979, Brown Corpus Manual (Form C, tagged).
 *
 * @param taggedWords whitespace-separated `word/tag` items (one or more lines of one paragraph)
 * @returns the paragraph as text, without leading or trailing spaces
 */
export function brownText(taggedWords: string): string {
  let out = "";
  let glueNext = true;
  for (const item of taggedWords.split(/\s+/)) {
    if (item === "") continue;
    const slash = item.lastIndexOf("/");
    const word = slash > 0 ? item.slice(0, slash) : item;
    const text = word === "``" || word === "''" ? '"' : word === "`" ? "'" : word;
    out += glueNext || ATTACH_LEFT.has(word) ? text : ` ${text}`;
    glueNext = ATTACH_RIGHT.has(word);
  }
  return out;
}
