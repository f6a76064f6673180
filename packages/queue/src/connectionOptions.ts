import type { RedisOptions } from "ioredis";

/**
 * ioredis options that fail instead of hanging: while the connection is down, commands wait (ioredis'
 * offline queue) and reconnects are tried for `giveUpMs`; after that the client ends, every waiting
 * command rejects, and the caller reports Redis as unavailable.
 *
 * @param base host/port/path/password/db/tls from the queue URL
 * @param giveUpMs how long a lost connection may stay lost (ms)
 * @example new Redis(connectionOptions(parseQueueUrl(url).redis, 10_000))
 */
export function connectionOptions(base: RedisOptions, giveUpMs: number): RedisOptions {
  let lostAt: number | undefined;
  return {
    ...base,
    connectTimeout: Math.min(10_000, Math.max(1000, giveUpMs)),
    // BullMQ's blocking connections need null here; a lost connection still ends via retryStrategy.
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => {
      const now = Date.now();
      if (times === 1 || lostAt === undefined) lostAt = now;
      if (now - lostAt >= giveUpMs) return null;
      return Math.min(100 * times, 1000);
    },
    // A reconnect resets the clock for the next loss.
    lazyConnect: false,
  };
}
