import { describe, expect, it } from "vitest";
import { createPacer } from "../src/pacer.js";

describe("createPacer", () => {
  it("runs a callback at once when not paused", () => {
    const p = createPacer();
    let ran = 0;
    p.onReady(() => ran++);
    expect(ran).toBe(1);
  });

  it("runs waiting callbacks once, in order, when resumed", () => {
    const p = createPacer();
    const order: string[] = [];
    p.pause();
    p.onReady(() => order.push("a"));
    p.onReady(() => order.push("b"));
    expect(order).toEqual([]);
    p.resume();
    p.resume();
    expect(order).toEqual(["a", "b"]);
    expect(p.paused).toBe(false);
  });

  it("does not run a cancelled wait", () => {
    const p = createPacer();
    p.pause();
    let ran = false;
    const cancel = p.onReady(() => {
      ran = true;
    });
    cancel();
    p.resume();
    expect(ran).toBe(false);
  });

  it("stops running callbacks when one of them pauses it again", () => {
    const p = createPacer();
    const order: string[] = [];
    p.pause();
    p.onReady(() => {
      order.push("a");
      p.pause();
    });
    p.onReady(() => order.push("b"));
    p.resume();
    expect(order).toEqual(["a"]);
    p.resume();
    expect(order).toEqual(["a", "b"]);
  });
});
