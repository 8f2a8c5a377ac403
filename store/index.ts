// store/: bpfdiff's records in Redis. See README "Running the service" for the Redis settings.
export * from './types.ts';
export {
  Store,
  SchemaVersionError,
  SCHEMA_VERSION,
  divergenceId,
  type BatchCoverage,
} from './store.ts';
export { connectRedis, redactRedisUrl } from './redis.ts';
export { startEmbeddedRedis, type EmbeddedRedis } from './embedded-redis.ts';
export { findingSelftest } from './selftest.ts';
