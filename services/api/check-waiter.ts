// Waiting for check jobs: one 'completed' and one 'failed' listener on the check queue's event
// stream for every waiting request, instead of BullMQ's waitUntilFinished, which adds a
// listener per job to the queue (11 concurrent checks gave a MaxListenersExceededWarning).
import type { Job, Queue, QueueEvents } from 'bullmq';

export class CheckTimeoutError extends Error {
  override name = 'CheckTimeoutError';
}

interface Waiter {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

interface CheckWaiter {
  /** the job's return value, or rejects with its failure reason or a CheckTimeoutError */
  wait(queue: Queue, job: Job, timeoutMs: number): Promise<unknown>;
  /** requests waiting now */
  readonly waiting: number;
  close(): void;
}

export function createCheckWaiter(events: QueueEvents): CheckWaiter {
  const waiters = new Map<string, Waiter>();
  const onCompleted = ({ jobId, returnvalue }: { jobId: string; returnvalue: unknown }): void => waiters.get(jobId)?.resolve(returnvalue);
  const onFailed = ({ jobId, failedReason }: { jobId: string; failedReason: string }): void => waiters.get(jobId)?.reject(new Error(failedReason));
  events.on('completed', onCompleted);
  events.on('failed', onFailed);
  return {
    get waiting() {
      return waiters.size;
    },
    async wait(queue, job, timeoutMs) {
      const id = job.id;
      if (id === undefined) throw new Error('check job without an id');
      let timer: NodeJS.Timeout | undefined;
      const settled = new Promise<unknown>((resolve, reject) => {
        waiters.set(id, { resolve, reject });
        timer = setTimeout(() => reject(new CheckTimeoutError(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        // the job may have finished before the listener was in place: look once
        const state = await job.getState();
        if (state === 'completed' || state === 'failed') {
          const fresh = await queue.getJob(id);
          if (state === 'failed') throw new Error(fresh?.failedReason ?? 'check failed');
          return fresh?.returnvalue;
        }
        return await settled;
      } finally {
        clearTimeout(timer);
        waiters.delete(id);
        settled.catch(() => undefined);
      }
    },
    close() {
      events.off('completed', onCompleted);
      events.off('failed', onFailed);
      for (const w of waiters.values()) w.reject(new Error('the API is closing'));
      waiters.clear();
    },
  };
}
