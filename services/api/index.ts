// services/api: the bpfdiff REST API (Fastify).
export { default as apiPlugin, DEFAULT_DASHBOARD_DIR, type AppOptions } from './app.ts';
export { buildServer, startServer } from './server.ts';
export { apiConfigFromEnv, DEFAULT_API_KERNELS, DEFAULT_BODY_LIMIT, DEFAULT_CHECK_TIMEOUT_MS, type ApiConfig } from './config.ts';
export type { ModelOracle } from './routes/programs.ts';
export { modelOutcome } from './model.ts';
