// services/api: the bpfdiff REST API (Fastify).
export { default as apiPlugin, DEFAULT_DASHBOARD_DIR } from './app.ts';
export { buildServer, startServer } from './server.ts';
export type { ModelOracle } from './routes/programs.ts';
