// The browser entry: wires app.mjs to the page (index.html). Bundle: pnpm --filter example-browser bundle, then serve this directory.
import { run, WORDS } from "./app.mjs";

const out = document.querySelector("#out");
const bars = document.querySelector("#bars");
const form = document.querySelector("form");

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  const temperature = Number(form.temperature.value);
  const seed = Number(form.seed.value);
  out.textContent = "the";
  await run([0], { temperature, seed }, (step) => {
    out.textContent += ` ${step.word}`;
    bars.replaceChildren(
      ...Array.from(step.probs, (p, i) => {
        const li = document.createElement("li");
        li.textContent = `${WORDS[i]} ${(p * 100).toFixed(1)}%`;
        li.style.width = `${Math.max(2, p * 100)}%`;
        return li;
      }),
    );
  });
});
