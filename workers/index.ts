// workers/: BullMQ queues and processors (campaign, batch, reduce, replay, check, nightly).
export {
  QUEUE_KINDS,
  DEFAULT_BULL_PREFIX,
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
  type QueueKind,
  type QueueNaming,
  type Queues,
  type BatchJobData,
  type CampaignJobData,
  type CheckJobData,
  type NightlyJobData,
  type ReduceJobData,
  type ReplayJobData,
} from './queues.ts';
export type { Pipeline, PipelineBatch, PoolState, CheckResult } from './pipeline.ts';
export { startWorkers, type WorkerConfig, type WorkerHandle } from './runtime.ts';
export { DEFAULT_NIGHTLY_CRON, NIGHTLY_SCHEDULER_ID, scheduleNightly, triggerNightly, nightlySeed } from './nightly.ts';
export { createLogger, loggerOptions, LOG_REDACT_PATHS } from './log.ts';
export { workerSettingsFromEnv, parseQueueList, WorkerConfigError, type WorkerSettings } from './config.ts';
export { closeOnSignal, type Closer } from './shutdown.ts';
