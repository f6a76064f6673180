import { describe, expect, it } from "vitest";
import { parseQueueUrl, redactUrl } from "../src/queueUrl.js";

describe("redactUrl", () => {
  it.each([
    ["redis://:s3cret@db:6379/2", "redis://:***@db:6379/2"],
    ["rediss://alice:p%40ss@redis.internal:6380", "rediss://alice:***@redis.internal:6380"],
    ["redis://token@host", "redis://***@host"],
    ["redis://host:6379", "redis://host:6379"],
    ["unix:///tmp/r.sock?db=1&password=pw", "unix:///tmp/r.sock?db=1&password=***"],
    ["redis://:pw@[not a url", "redis://:***@[not a url"],
  ])("hides the password of %s", (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
  });
});

describe("parseQueueUrl", () => {
  it.each([
    ["redis://10.0.0.5", { host: "10.0.0.5", port: 6379 }],
    ["redis://:pw@10.0.0.5:6380/1", { host: "10.0.0.5", port: 6380, password: "pw", db: 1 }],
    ["redis://bob:p%40ss@h:1/0", { host: "h", port: 1, username: "bob", password: "p@ss", db: 0 }],
    ["rediss://h:6380", { host: "h", port: 6380, tls: { servername: "h" } }],
    ["rediss://127.0.0.1:6380", { host: "127.0.0.1", port: 6380, tls: {} }],
    ["unix:///tmp/r.sock", { path: "/tmp/r.sock" }],
    ["unix:///tmp/r.sock?db=3&password=pw", { path: "/tmp/r.sock", password: "pw", db: 3 }],
  ])("reads %s", (url, redis) => {
    expect(parseQueueUrl(url).redis).toEqual(redis);
  });

  it.each([
    ["http://h", "unknown scheme"],
    ["redis://h/x", 'database "x"'],
    ["unix://", "no socket path"],
    ["nonsense", "not a URL"],
  ])("rejects %s with a typed error", (url, problem) => {
    expect(() => parseQueueUrl(url)).toThrow(
      expect.objectContaining({ code: "E_QUEUE_URL", message: expect.stringContaining(problem) }),
    );
  });

  it("never puts the password in an error", () => {
    let message = "";
    try {
      parseQueueUrl("ftp://:hunter2@h/x");
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain("ftp://:***@h/x");
    expect(message).not.toContain("hunter2");
  });
});
