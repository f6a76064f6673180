import { isIP } from "node:net";
import type { RedisOptions } from "ioredis";
import { QueueUrlError } from "./errors.js";

/** A parsed `--queue` URL: ioredis options, and the URL as it may be printed (password hidden). */
export interface QueueUrl {
  /** Connection options for ioredis (host/port or a unix socket path; password, db, TLS). */
  readonly redis: RedisOptions;
  /** The URL with its password replaced by `***`: the only form that may appear in messages. */
  readonly display: string;
}

/**
 * The URL with any password replaced by `***` (and the user name kept), for messages and progress.
 *
 * @param url a connection URL as the user typed it, valid or not
 * @example redactUrl("redis://:s3cret@db:6379/2") // "redis://:***@db:6379/2"
 */
export function redactUrl(url: string): string {
  // Not through `new URL`: an unparsable URL must be redacted too.
  return url
    .replace(/([?&]password=)[^&#]*/gi, "$1***")
    .replace(/^([a-z][a-z0-9+.-]*:\/\/)([^@/]*)@/i, (_all, scheme: string, auth: string) => {
      const colon = auth.indexOf(":");
      return colon < 0 ? `${scheme}***@` : `${scheme}${auth.slice(0, colon)}:***@`;
    });
}

/**
 * Parses `redis://[USER][:PASSWORD@]HOST[:PORT][/DB]`, `rediss://…` (TLS) and
 * `unix:///PATH/TO/SOCKET[?db=N&password=P]` into ioredis options.
 *
 * @param url the `--queue` value
 * @example parseQueueUrl("redis://:pw@10.0.0.5:6380/1").redis // { host: "10.0.0.5", port: 6380, password: "pw", db: 1 }
 */
export function parseQueueUrl(url: string): QueueUrl {
  const display = redactUrl(url);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new QueueUrlError(display, "not a URL");
  }
  const redis: RedisOptions = {};
  if (u.username !== "") redis.username = decodeURIComponent(u.username);
  if (u.password !== "") redis.password = decodeURIComponent(u.password);
  const db = (text: string | null): void => {
    if (text === null || text === "") return;
    if (!/^\d+$/.test(text) || Number(text) > 65535)
      throw new QueueUrlError(display, `database "${text}" is not a number`);
    redis.db = Number(text);
  };
  if (u.protocol === "unix:") {
    if (u.pathname === "" || u.pathname === "/") throw new QueueUrlError(display, "no socket path");
    redis.path = decodeURIComponent(u.pathname);
    db(u.searchParams.get("db"));
    const password = u.searchParams.get("password");
    if (password !== null) redis.password = password;
    return { redis, display };
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") {
    throw new QueueUrlError(display, `unknown scheme "${u.protocol.slice(0, -1)}"`);
  }
  redis.host = u.hostname === "" ? "127.0.0.1" : u.hostname.replace(/^\[|\]$/g, "");
  redis.port = u.port === "" ? 6379 : Number(u.port);
  db(u.pathname.replace(/^\//, ""));
  // TLS: the certificate is checked against the host name (SNI may not carry an IP address).
  if (u.protocol === "rediss:") redis.tls = isIP(redis.host) === 0 ? { servername: redis.host } : {};
  return { redis, display };
}
