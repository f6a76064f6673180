/** What {@link renderBars} needs besides the bars. */
interface BarsOptions {
  label: (token: number) => string;
  /** Tokens a stage removed → that stage's name (shown greyed, with the name). */
  removedBy: ReadonlyMap<number, string>;
  /** The chosen (or target) token, highlighted. */
  chosen: number;
}

/**
 * Draws a list of tokens as horizontal bars of their probability: token, bar, probability, logprob
 * and, for a removed token, the stage that removed it. Bars are scaled to the first (largest) one.
 *
 * @param list - The `<ol>` to fill (its children are replaced).
 * @param bars - Tokens, most likely first.
 * @param opts - Labels, removals and the highlighted token.
 */
export function renderBars(
  list: HTMLElement,
  bars: readonly { token: number; prob: number; logprob: number }[],
  opts: BarsOptions,
): void {
  const scale = bars.length > 0 && bars[0]!.prob > 0 ? 1 / bars[0]!.prob : 1;
  const items = bars.map((b) => {
    const li = document.createElement("li");
    li.dataset.token = String(b.token);
    const why = opts.removedBy.get(b.token);
    if (why !== undefined) {
      li.classList.add("removed");
      li.dataset.removedBy = why;
    }
    if (b.token === opts.chosen) li.classList.add("chosen");
    const tok = document.createElement("span");
    tok.className = "tok";
    tok.textContent = opts.label(b.token);
    const track = document.createElement("span");
    track.className = "track";
    const fill = document.createElement("span");
    fill.className = "fill";
    fill.style.display = "block";
    fill.style.width = `${(100 * b.prob * scale).toFixed(2)}%`;
    track.append(fill);
    const p = document.createElement("span");
    p.className = "num";
    p.textContent = b.prob.toFixed(4);
    const lp = document.createElement("span");
    lp.className = "num";
    lp.textContent = b.logprob.toFixed(3);
    const note = document.createElement("span");
    note.className = "why";
    note.textContent = why === undefined ? (b.token === opts.chosen ? "chosen" : "") : `cut by ${why}`;
    li.append(tok, track, p, lp, note);
    li.setAttribute(
      "aria-label",
      `${tok.textContent}: probability ${p.textContent}${why === undefined ? "" : `, removed by ${why}`}${b.token === opts.chosen ? ", chosen" : ""}`,
    );
    return li;
  });
  list.replaceChildren(...items);
}
