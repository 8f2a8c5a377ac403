// workers/: BullMQ queues and processors (campaign, batch, reduce, replay, check, nightly).
export {
  DEFAULT_BATCH_SIZE,
  DEFAULT_JOB_OPTIONS,
  queueName,
  createQueues,
  closeQueues,
  createQueueEvents,
  submitJob,
  cancelJob,
  batchJobId,
  queueDepths,
  type QueueNaming,
  type Queues,
  type BatchJobData,
  type CampaignJobData,
  type CheckJobData,
  type NightlyJobData,
  type ReduceJobData,
  type ReplayJobData,
} from './queues.ts';
export type { Pipeline } from './pipeline.ts';
export { startWorkers, type WorkerHandle } from './runtime.ts';
export { NIGHTLY_SCHEDULER_ID, scheduleNightly, triggerNightly, nightlySeed } from './nightly.ts';
export { closeOnSignal, type Closer } from './shutdown.ts';
