// The services the routes need, as one named plugin with typed decorations: the store, the
// queue producers, and the event stream of the check queue (for synchronous /programs/check).
import fp from 'fastify-plugin';
import type { QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { Store, connectRedis } from '../../../store/index.ts';
import { closeQueues, createQueueEvents, createQueues, type Queues } from '../../../workers/queues.ts';
import type { ApiConfig } from '../../../config/index.ts';

declare module 'fastify' {
  interface FastifyInstance {
    config: ApiConfig;
    store: Store;
    queues: Queues;
    checkEvents: QueueEvents;
    /** the producer-side Redis connection (fails fast), also used by rate limiting */
    redis: Redis;
  }
}

export default fp<{ config: ApiConfig }>(
  async (app, { config }) => {
    const naming = { prefix: config.bullPrefix, namespace: config.namespace };
    const redis = connectRedis(config.redisUrl, 'producer');
    // queues and events wait out a Redis restart instead of failing the API process
    const queueConnection = connectRedis(config.redisUrl, 'worker');
    const eventsConnection = connectRedis(config.redisUrl, 'worker');
    for (const c of [redis, queueConnection, eventsConnection]) c.on('error', (err) => app.log.warn({ err: err.message }, 'redis connection error'));
    const store = new Store(redis, config.storePrefix);
    await store.ensureSchema();
    const queues = createQueues(queueConnection, naming, app.log);
    const checkEvents = createQueueEvents(eventsConnection, naming, 'check', app.log);
    await checkEvents.waitUntilReady();
    app.decorate('config', config);
    app.decorate('redis', redis);
    app.decorate('store', store);
    app.decorate('queues', queues);
    app.decorate('checkEvents', checkEvents);
    app.addHook('onClose', async () => {
      await checkEvents.close();
      await closeQueues(queues);
      for (const c of [redis, queueConnection, eventsConnection]) c.disconnect();
    });
  },
  { name: 'bpfdiff-services' },
);
