import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs example without type declarations
import { MAX_BODY_BYTES, startServer } from "../server.mjs";

// log_softmax of [u0, u1, …] by hand: u_i − log Σ exp(u_j).
const lsm = (u: number[]) => {
  const m = Math.max(...u);
  const lse = m + Math.log(u.reduce((s, x) => s + Math.exp(x - m), 0));
  return u.map((x) => x - lse);
};

let srv: { url: string; close(): Promise<void> };
beforeAll(async () => {
  srv = await startServer({ port: 0, threads: 2, maxQueue: 1000 });
});
afterAll(async () => {
  await srv?.close();
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${srv.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: JSON responses, read field by field in the tests
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, any> };
}

describe("example HTTP server", () => {
  it("samples greedily with snake_case params and reports top_logprobs (V entries for a larger N)", async () => {
    const u = [1, 2, 3];
    const r = await post("/v1/sample", { logits: [u, [3, 2, 1]], temperature: 0, top_logprobs: 10 });
    expect(r.status).toBe(200);
    const lp = lsm(u);
    expect(r.json.rows.map((x: { token: number }) => x.token)).toEqual([2, 0]);
    expect(r.json.rows[0].logprob).toBeCloseTo(lp[2]!, 6);
    expect(r.json.rows[0].rank).toBe(1);
    expect(r.json.rows[0].top_logprobs.map((t: { token: number }) => t.token)).toEqual([2, 1, 0]);
    expect(r.json.rows[1].top_logprobs[2].logprob).toBeCloseTo(lp[0]!, 6);
  });

  it("scores targets and writes the summary", async () => {
    const u = [0, Math.log(3)];
    const r = await post("/v1/score", { logits: [u, u], targets: [1, 0] });
    expect(r.status).toBe(200);
    // p = [1/4, 3/4]: logprob(1) = log 3/4, logprob(0) = log 1/4.
    expect(r.json.rows[0].logprob).toBeCloseTo(Math.log(0.75), 6);
    expect(r.json.rows[1].logprob).toBeCloseTo(Math.log(0.25), 6);
    expect(r.json.rows[1].rank).toBe(2);
    expect(r.json.summary.mean_nll).toBeCloseTo(-(Math.log(0.75) + Math.log(0.25)) / 2, 6);
  });

  it.each<[string, string, unknown, number, string]>([
    ["not JSON", "/v1/sample", "{logits:", 400, "invalid_json"],
    ["a JSON array", "/v1/sample", "[1,2]", 400, "invalid_body"],
    ["no logits", "/v1/sample", { temperature: 1 }, 400, "invalid_logits"],
    ["a string logit", "/v1/sample", { logits: [1, "2"] }, 400, "invalid_logits"],
    ["ragged rows", "/v1/sample", { logits: [[1, 2], [1]] }, 400, "invalid_logits"],
    ["all logits banned", "/v1/sample", { logits: [null, null] }, 400, "E_INVALID_LOGITS"],
    ["top_p out of range", "/v1/sample", { logits: [1, 2], top_p: 2 }, 400, "E_INVALID_PARAMS"],
    ["logprobs as a string", "/v1/sample", { logits: [1, 2], logprobs: "5" }, 400, "E_INVALID_PARAMS"],
    ["logprobs: 1e9", "/v1/sample", { logits: [1, 2], logprobs: 1e9 }, 400, "E_INVALID_PARAMS"],
    ["an unknown parameter", "/v1/sample", { logits: [1, 2], best_of: 2 }, 400, "E_INVALID_PARAMS"],
    ["top_p given twice", "/v1/sample", { logits: [1, 2], top_p: 0.5, topP: 0.5 }, 400, "E_INVALID_PARAMS"],
    ["targets missing", "/v1/score", { logits: [[1, 2]] }, 400, "invalid_targets"],
    ["a target outside V", "/v1/score", { logits: [[1, 2]], targets: [5] }, 400, "E_INVALID_TARGET"],
    ["an unknown path", "/v1/chat", {}, 404, "not_found"],
  ])("answers %s with a clean 4xx and its code", async (_, path, body, status, code) => {
    const r = await post(path, body);
    expect(r.status).toBe(status);
    expect(r.json.error.code).toBe(code);
    expect(typeof r.json.error.message).toBe("string");
  });

  it("answers GET with 405, a non-JSON type with 415 and an oversized body with 413", async () => {
    const get = await fetch(`${srv.url}/v1/sample`);
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    const xml = await post("/v1/sample", "<x/>", { "content-type": "text/xml" });
    expect(xml.status).toBe(415);
    const big = await post("/v1/sample", `{"logits":[${"1,".repeat(MAX_BODY_BYTES / 2)}1]}`);
    expect(big.status).toBe(413);
  });

  it("answers 200 concurrent requests on loopback, each with its own correct result", async () => {
    // Request i: a row whose argmax is i mod 7 (greedy), and a score of target i mod 5.
    const calls = Array.from({ length: 200 }, (_, i) => {
      const row = Array.from({ length: 7 }, (_, k) => (k === i % 7 ? 4 : Math.sin(i + k)));
      return i % 2 === 0
        ? post("/v1/sample", { logits: [row], temperature: 0 }).then((r) => ({ i, row, r }))
        : post("/v1/score", { logits: [row], targets: [i % 5] }).then((r) => ({ i, row, r }));
    });
    const results = await Promise.all(calls);
    for (const { i, row, r } of results) {
      expect({ i, status: r.status }).toEqual({ i, status: 200 });
      const lp = lsm(row);
      if (i % 2 === 0) expect({ i, token: r.json.rows[0].token }).toEqual({ i, token: i % 7 });
      else expect(Math.abs(r.json.rows[0].logprob - lp[i % 5]!)).toBeLessThan(1e-6);
    }
  });

  it("refuses load beyond maxQueue with 503 and Retry-After, and answers the rest correctly", async () => {
    const small = await startServer({ port: 0, threads: 1, maxQueue: 1 });
    try {
      const row = Array.from({ length: 4096 }, (_, k) => (k === 7 ? 9 : 0));
      const rs = await Promise.all(
        Array.from({ length: 60 }, () =>
          fetch(`${small.url}/v1/sample`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ logits: [row, row, row, row], temperature: 0 }),
          }).then(async (res) => ({
            status: res.status,
            retry: res.headers.get("retry-after"),
            json: (await res.json()) as { rows: { token: number }[]; error: { code: string } },
          })),
        ),
      );
      for (const r of rs) {
        if (r.status === 200)
          expect(r.json.rows.map((x: { token: number }) => x.token)).toEqual([7, 7, 7, 7]);
        else expect([r.status, r.retry, r.json.error.code]).toEqual([503, "1", "E_POOL_BUSY"]);
      }
      expect(rs.filter((r) => r.status === 200).length).toBeGreaterThan(0);
    } finally {
      await small.close();
    }
  });
});
