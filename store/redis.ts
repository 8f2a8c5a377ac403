// Redis connections for the two kinds of client bpfdiff has. BullMQ workers block on Redis and
// must wait out a restart (maxRetriesPerRequest: null); HTTP-side clients fail fast so a
// request gets an error instead of hanging while Redis is away.
import { Redis } from 'ioredis';

type RedisRole = 'worker' | 'producer';

export function connectRedis(url: string, role: RedisRole): Redis {
  return new Redis(url, {
    // a producer's command waits through at most one reconnect attempt, then errors
    maxRetriesPerRequest: role === 'worker' ? null : 1,
    // reconnect quickly after a Redis restart, capped so a long outage does not spin
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    lazyConnect: false,
  });
}

/** The URL without its password, for logs. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable REDIS_URL)';
  }
}
