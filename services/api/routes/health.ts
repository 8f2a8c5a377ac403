// GET /health (Redis, live workers with their VM pools, queue depths) and GET /metrics
// (Prometheus text exposition format 0.0.4).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { queueDepths } from '../../../workers/queues.ts';
import { HealthSchema } from '../schemas.ts';

function label(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

const health: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/health',
    { schema: { summary: 'Redis, workers alive, VM pool state, queue depths', tags: ['service'], response: { 200: HealthSchema, 503: HealthSchema } } },
    async (_req, reply) => {
      const began = performance.now();
      try {
        await app.redis.ping();
      } catch (err) {
        return reply.code(503).send({ status: 'degraded', redis: { ok: false, error: (err as Error).message }, workers: [], queues: {} });
      }
      const latencyMs = performance.now() - began;
      const [workers, queues] = await Promise.all([app.store.liveWorkers(), queueDepths(app.queues)]);
      return { status: workers.length > 0 ? ('ok' as const) : ('degraded' as const), redis: { ok: true, latencyMs }, workers, queues };
    },
  );

  app.get(
    '/metrics',
    { schema: { summary: 'Prometheus metrics', tags: ['service'], response: { 200: Type.String() } } },
    async (_req, reply) => {
      const [metrics, depths, workers] = await Promise.all([app.store.metrics(), queueDepths(app.queues), app.store.liveWorkers()]);
      const lines: string[] = [];
      const family = (name: string, type: string, help: string) => lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      family('bpfdiff_programs_processed_total', 'counter', 'Programs run through the model and kernels.');
      lines.push(`bpfdiff_programs_processed_total ${metrics.programs}`);
      family('bpfdiff_batches_recorded_total', 'counter', 'Batches recorded (each once, retries excluded).');
      lines.push(`bpfdiff_batches_recorded_total ${metrics.batches}`);
      family('bpfdiff_divergences_total', 'counter', 'Divergence instances by class.');
      for (const [cls, n] of Object.entries(metrics.byClass)) lines.push(`bpfdiff_divergences_total{class="${label(cls)}"} ${n}`);
      family('bpfdiff_divergence_signatures', 'gauge', 'Distinct divergence signatures stored.');
      lines.push(`bpfdiff_divergence_signatures ${metrics.divergenceSignatures}`);
      family('bpfdiff_vm_restarts_total', 'counter', 'Guests restarted after a crash or hang.');
      lines.push(`bpfdiff_vm_restarts_total ${metrics.vmRestarts}`);
      family('bpfdiff_queue_jobs', 'gauge', 'BullMQ jobs by queue and state.');
      for (const [queue, counts] of Object.entries(depths)) {
        for (const [state, n] of Object.entries(counts)) lines.push(`bpfdiff_queue_jobs{queue="${queue}",state="${state}"} ${n}`);
      }
      family('bpfdiff_workers_alive', 'gauge', 'Worker processes with a recent heartbeat.');
      lines.push(`bpfdiff_workers_alive ${workers.length}`);
      family('bpfdiff_vm_guests', 'gauge', 'Guests in the VM pools of live workers, by kernel.');
      const guests = new Map<string, number>();
      for (const w of workers) for (const [kernel, pool] of Object.entries(w.pools)) guests.set(kernel, (guests.get(kernel) ?? 0) + pool.size);
      for (const [kernel, n] of guests) lines.push(`bpfdiff_vm_guests{kernel="${label(kernel)}"} ${n}`);
      // how guests were started, summed over the pools of live workers (since each worker started)
      const started = (what: 'coldBoots' | 'restores') => {
        const by = new Map<string, number>();
        for (const w of workers) for (const [kernel, pool] of Object.entries(w.pools)) by.set(kernel, (by.get(kernel) ?? 0) + (pool[what] ?? 0));
        return by;
      };
      family('bpfdiff_vm_cold_boots_total', 'counter', 'Guests started by booting the kernel, by kernel (live workers).');
      for (const [kernel, n] of started('coldBoots')) lines.push(`bpfdiff_vm_cold_boots_total{kernel="${label(kernel)}"} ${n}`);
      family('bpfdiff_vm_restores_total', 'counter', 'Guests started from a snapshot of a booted guest, by kernel (live workers).');
      for (const [kernel, n] of started('restores')) lines.push(`bpfdiff_vm_restores_total{kernel="${label(kernel)}"} ${n}`);
      return reply.type('text/plain; version=0.0.4; charset=utf-8').send(lines.join('\n') + '\n');
    },
  );
};

export default health;
