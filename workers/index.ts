// workers/: BullMQ queues and processors (campaign, batch, reduce, replay, check, nightly).
export {
  queueName,
  createQueues,
  closeQueues,
  submitJob,
  cancelJob,
  queueDepths,
  type Queues,
  type NightlyJobData,
} from './queues.ts';
export type { Pipeline } from './pipeline.ts';
export { startWorkers, type WorkerHandle } from './runtime.ts';
export { NIGHTLY_SCHEDULER_ID, triggerNightly } from './nightly.ts';
export { closeOnSignal, type Closer } from './shutdown.ts';
