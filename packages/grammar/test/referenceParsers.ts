/**
 * Hand-written recursive-descent recognizers for the GBNF fixtures, written from the grammars' rules
 * (not from the automaton): each returns whether the whole text is in the fixture's language.
 */

class Cursor {
  i = 0;
  constructor(readonly s: string) {}
  peek(): string {
    return this.s[this.i] ?? "";
  }
  eat(t: string): boolean {
    if (this.s.startsWith(t, this.i)) {
      this.i += t.length;
      return true;
    }
    return false;
  }
  done(): boolean {
    return this.i === this.s.length;
  }
}

/** fixtures/json.gbnf: root is an object; ws is "", " " or "\n" after every token. */
export function isFixtureJson(text: string): boolean {
  const c = new Cursor(text);
  const ws = (): void => {
    if (!c.eat(" ")) c.eat("\n");
  };
  const str = (): boolean => {
    if (!c.eat('"')) return false;
    for (;;) {
      const ch = c.peek();
      if (ch === "") return false;
      if (ch === '"') break;
      if (ch === "\\") {
        c.i++;
        const e = c.peek();
        if ('"\\/bfnrt'.includes(e) && e !== "") c.i++;
        else if (e === "u") {
          c.i++;
          for (let k = 0; k < 4; k++) {
            if (!/[0-9a-fA-F]/.test(c.peek())) return false;
            c.i++;
          }
        } else return false;
      } else {
        const code = ch.charCodeAt(0);
        if (code < 0x20 || code === 0x7f) return false;
        c.i++;
      }
    }
    c.i++;
    ws();
    return true;
  };
  const num = (): boolean => {
    const m = /^-?(0|[1-9][0-9]{0,15}|[0-9])(\.[0-9]+)?([eE][-+]?[0-9][0-9]?)?/.exec(c.s.slice(c.i));
    if (m === null || m[0] === "") return false;
    c.i += m[0].length;
    ws();
    return true;
  };
  const value = (): boolean => {
    const ch = c.peek();
    if (ch === "{") return obj();
    if (ch === "[") return arr();
    if (ch === '"') return str();
    for (const lit of ["true", "false", "null"]) {
      if (c.eat(lit)) {
        ws();
        return true;
      }
    }
    return num();
  };
  const member = (): boolean => {
    if (!str() || !c.eat(":")) return false;
    ws();
    return value();
  };
  const obj = (): boolean => {
    if (!c.eat("{")) return false;
    ws();
    if (c.peek() === '"') {
      if (!member()) return false;
      while (c.eat(",")) {
        ws();
        if (!member()) return false;
      }
    }
    if (!c.eat("}")) return false;
    ws();
    return true;
  };
  const arr = (): boolean => {
    if (!c.eat("[")) return false;
    ws();
    if (c.peek() !== "]") {
      if (!value()) return false;
      while (c.eat(",")) {
        ws();
        if (!value()) return false;
      }
    }
    if (!c.eat("]")) return false;
    ws();
    return true;
  };
  return obj() && c.done();
}

/** fixtures/arithmetic.gbnf: one or more lines `expr "=" ws term "\n"`. */
export function isFixtureArithmetic(text: string): boolean {
  const c = new Cursor(text);
  const ws = (): void => {
    while (/[ \t\n]/.test(c.peek()) && c.peek() !== "") c.i++;
  };
  const term = (): boolean => {
    if (/[a-z]/.test(c.peek()) && c.peek() !== "") {
      c.i++;
      while (/[a-z0-9_]/.test(c.peek()) && c.peek() !== "") c.i++;
      ws();
      return true;
    }
    if (/[0-9]/.test(c.peek()) && c.peek() !== "") {
      while (/[0-9]/.test(c.peek()) && c.peek() !== "") c.i++;
      ws();
      return true;
    }
    if (c.eat("(")) {
      ws();
      if (!expr() || !c.eat(")")) return false;
      ws();
      return true;
    }
    return false;
  };
  const expr = (): boolean => {
    if (!term()) return false;
    while ("-+*/".includes(c.peek()) && c.peek() !== "") {
      c.i++;
      if (!term()) return false;
    }
    return true;
  };
  // The "\n" that ends a line is also whitespace a term may end with; since the next line starts with
  // a term (no leading whitespace), the line's "\n" is the last character of the whitespace run.
  const line = (): boolean => {
    if (!expr() || !c.eat("=")) return false;
    ws();
    return term() && c.s[c.i - 1] === "\n";
  };
  if (!line()) return false;
  while (!c.done()) {
    if (!line()) return false;
  }
  return true;
}

/** fixtures/list.gbnf: one or more "- " items, each non-empty text without line breaks, then "\n". */
export function isFixtureList(text: string): boolean {
  if (text === "") return false;
  const lines = text.split("\n");
  if (lines.pop() !== "") return false;
  const breaks = new Set(["\r", "\v", "\f", "\u0085", "\u2028", "\u2029"]);
  return lines.every(
    (l) => l.startsWith("- ") && l.length > 2 && !Array.from(l).some((ch) => breaks.has(ch)),
  );
}
