// The dashboard on a real Redis, the real API and a real Chromium, for the browser tests: one place
// that starts them in order (Redis, store, the test's own seeding, the API on 127.0.0.1, the
// browser), collects the page's uncaught errors, and closes everything again.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { ApiConfig } from '../config/index.ts';
import { apiPlugin, type ModelOracle } from '../services/api/index.ts';
import { Store, connectRedis } from '../store/index.ts';
import { startTestRedis } from './test-redis.ts';

/** Screenshots the browser tests leave for a person to look at. */
export const ARTIFACTS = new URL('../artifacts/', import.meta.url);

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

interface DashboardHarnessOptions {
  /** Namespace prefix of this test's keys and queues. */
  name: string;
  token: string;
  model: ModelOracle;
  /** Fills the store before the API starts (jobs, findings, nightly reports). */
  seed?: (store: Store, config: ApiConfig) => Promise<void>;
  viewport?: { width: number; height: number };
  /** Let the page read and write the clipboard (copy buttons). */
  clipboard?: boolean;
}

export interface DashboardHarness {
  base: string;
  page: Page;
  browser: Browser;
  store: Store;
  redis: Redis;
  config: ApiConfig;
  app: FastifyInstance;
  /** Uncaught errors of the page since the test last emptied this. */
  pageErrors: string[];
  close(): Promise<void>;
}

export async function startDashboardHarness(opts: DashboardHarnessOptions): Promise<DashboardHarness> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const redisServer = await startTestRedis();
  const ns = `${opts.name}${randomUUID().slice(0, 8)}-`;
  const config: ApiConfig = {
    redisUrl: redisServer.url,
    storePrefix: `${ns}bpfdiff:`,
    bullPrefix: 'bull',
    namespace: ns,
    apiToken: opts.token,
    readsOpen: true,
    bodyLimit: 1024 * 1024,
    jobsPerMinute: 30,
    checkTimeoutMs: 5_000,
  };
  const redis = connectRedis(redisServer.url, 'producer');
  let app: FastifyInstance | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await app?.close();
    redis.disconnect();
    await redisServer.cleanup();
  };
  try {
    const store = new Store(redis, config.storePrefix);
    await store.ensureSchema();
    await opts.seed?.(store, config);
    app = Fastify({ logger: false });
    await app.register(apiPlugin, { config, model: opts.model });
    const base = (await app.listen({ host: '127.0.0.1', port: 0 })).replace(/\/$/, '');
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1440, height: 900 } });
    if (opts.clipboard) await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    return { base, page, browser, store, redis, config, app, pageErrors, close };
  } catch (err) {
    await close();
    throw err;
  }
}
