// store/: bpfdiff's records in Redis. See README "Running the service" for the Redis settings.
export * from './types.ts';
export {
  Store,
  SchemaVersionError,
  SCHEMA_VERSION,
  EXAMPLES_PER_SIGNATURE,
  divergenceId,
  type DivergenceFilter,
  type JobFilter,
  type Page,
  type StoreMetrics,
  type WorkerBeat,
} from './store.ts';
export { connectRedis, redactRedisUrl, type RedisRole } from './redis.ts';
export { startEmbeddedRedis, freePort, SYSTEM_OF_RECORD_SETTINGS, type EmbeddedRedis } from './embedded-redis.ts';
export { findingSelftest } from './selftest.ts';
