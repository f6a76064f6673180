import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Unpackr } from "msgpackr";
import { describe, expect, it } from "vitest";
import { encodeRecords, type OutputRecord, validateRecord, WireError } from "../src/index.js";
import { createRecordEncoder, createRecordWriter } from "../src/node.js";

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

describe("validateRecord", () => {
  it("recognises each record of the CLI contract", () => {
    expect(validateRecord({ row: 0, token: 3, logprob: -0.5 })).toBe("sample");
    expect(
      validateRecord({
        row: 1,
        token: 3,
        logprob: -0.5,
        id: "x",
        top_logprobs: [{ token: 3, logprob: -0.5 }],
      }),
    ).toBe("sample");
    expect(validateRecord({ row: 0, probs: [0.25, 0.75] })).toBe("softmax");
    expect(validateRecord({ row: 0, logprobs: new Float32Array([Number.NEGATIVE_INFINITY, 0]) })).toBe(
      "softmax",
    );
    expect(validateRecord({ row: 0, top: [{ token: 1, prob: 0.75 }] })).toBe("softmax");
    expect(validateRecord({ row: 2, target: 5, logprob: -3.25, rank: 4 })).toBe("score");
    expect(validateRecord({ row: 3, entropy: 1.5 })).toBe("entropy");
    expect(validateRecord({ summary: { rows: 2, mean_nll: 1.5, perplexity: 4.4816890703380645 } })).toBe(
      "summary",
    );
  });

  it("rejects wrong types, ranges and unknown fields with a typed error naming the record", () => {
    const bad: unknown[] = [
      null,
      [],
      { row: -1, token: 3, logprob: -0.5 },
      { row: 0, token: 3.5, logprob: -0.5 },
      { row: 0, token: 3, logprob: 0.5 },
      { row: 0, token: 3, logprob: Number.NaN },
      { row: 0, target: 5, logprob: -1, rank: 0 },
      { row: 0, entropy: -1 },
      { row: 0, probs: [0.5], logprobs: [0] },
      { row: 0, probs: ["x"] },
      { row: 0, token: 1, logprob: -1, extra: true },
      { summary: { rows: -1, mean_nll: 1, perplexity: 1 } },
      { hello: 1 },
    ];
    for (const [i, r] of bad.entries()) {
      expect(() => validateRecord(r, i), JSON.stringify(r)).toThrow(WireError);
    }
    try {
      validateRecord({ row: 0, token: 3, logprob: 0.5 }, 17);
    } catch (e) {
      expect(e).toMatchObject({ code: "E_WIRE_RECORD", frame: 17 });
    }
  });
});

describe("encodeRecords", () => {
  it("writes NDJSON with JSON.stringify's shortest numbers, probs last, and null for -Infinity", () => {
    const records: OutputRecord[] = [
      { row: 0, token: 7, logprob: -0.25, id: "a" },
      { row: 1, probs: new Float32Array([0.5, 0.1]), id: 9 },
      { row: 2, logprobs: [Number.NEGATIVE_INFINITY, -0] },
      { row: 3, target: 1, logprob: -1.5, rank: 2 },
      { summary: { rows: 2, mean_nll: 0.1, perplexity: 1.1051709180756477 } },
    ];
    expect(text(encodeRecords(records, "ndjson"))).toBe(
      '{"row":0,"token":7,"logprob":-0.25,"id":"a"}\n' +
        '{"row":1,"id":9,"probs":[0.5,0.10000000149011612]}\n' +
        '{"row":2,"logprobs":[null,0]}\n' +
        '{"row":3,"target":1,"logprob":-1.5,"rank":2}\n' +
        '{"summary":{"rows":2,"mean_nll":0.1,"perplexity":1.1051709180756477}}\n',
    );
  });

  it("writes msgpack maps that a plain decoder reads back, and the same bytes every time", () => {
    const records: OutputRecord[] = [
      { row: 0, token: 7, logprob: -0.25 },
      { row: 1, probs: new Float32Array([0.5, 0.25]) },
    ];
    const a = encodeRecords(records, "msgpack");
    expect(Array.from(encodeRecords(records, "msgpack"))).toEqual(Array.from(a));
    expect(a[0]).toBe(0x83); // fixmap of 3
    const values = new Unpackr({ useRecords: false }).unpackMultiple(a);
    expect(values).toEqual([
      { row: 0, token: 7, logprob: -0.25 },
      { row: 1, probs: [0.5, 0.25] },
    ]);
  });
});

/** A writable that accepts one chunk per `delay` ms, with a small buffer, and records its peak backlog. */
function slowSink(delay: number) {
  const chunks: Buffer[] = [];
  let peak = 0;
  const sink = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      setTimeout(cb, delay);
    },
  });
  const track = () => {
    peak = Math.max(peak, sink.writableLength);
  };
  return { sink, chunks, track, peak: () => peak };
}

describe("createRecordWriter", () => {
  it("waits for a slow consumer instead of buffering: the backlog stays within one flush", async () => {
    const { sink, chunks, track, peak } = slowSink(1);
    const w = createRecordWriter(sink, "ndjson", { flushBytes: 512 });
    let pending = 0;
    for (let i = 0; i < 2000; i++) {
      await w.write({ row: i, token: i % 50, logprob: -1 / (i + 1) });
      track();
      pending = Math.max(pending, sink.writableLength);
    }
    await w.end();
    expect(peak()).toBeLessThan(2048); // highWaterMark + one flush, never the whole output
    const lines = Buffer.concat(chunks).toString().trimEnd().split("\n");
    expect(lines).toHaveLength(2000);
    expect(JSON.parse(lines[1999]!)).toEqual({ row: 1999, token: 1999 % 50, logprob: -1 / 2000 });
    expect(pending).toBeGreaterThan(0);
  });

  it("rejects further writes after the destination fails", async () => {
    const sink = new Writable({
      write(_c, _e, cb) {
        cb(Object.assign(new Error("EPIPE"), { code: "EPIPE" }));
      },
    });
    const w = createRecordWriter(sink, "msgpack", { flushBytes: 1 });
    await expect(
      (async () => {
        for (let i = 0; i < 10; i++) await w.write({ row: i, entropy: 1 });
      })(),
    ).rejects.toMatchObject({ code: "EPIPE" });
  });

  it("works as a Transform in a pipeline", async () => {
    const out: Buffer[] = [];
    await pipeline(
      Readable.from([
        { row: 0, entropy: 0.5 },
        { row: 1, entropy: 0 },
      ]),
      createRecordEncoder("ndjson"),
      new Writable({
        write(c: Buffer, _e, cb) {
          out.push(c);
          cb();
        },
      }),
    );
    expect(Buffer.concat(out).toString()).toBe('{"row":0,"entropy":0.5}\n{"row":1,"entropy":0}\n');
  });
});
