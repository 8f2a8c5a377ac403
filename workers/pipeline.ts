// What the processors need of the differential engine (engine/): processors see only this
// slice of it, so the queues can be tested with a small fake (test/fake-pipeline.ts) and
// production passes the Engine itself.
import type { Engine } from '../engine/index.ts';

export type Pipeline = Pick<Engine, 'generate' | 'runBatch' | 'kernelOutcomes' | 'reduce' | 'corpus' | 'poolState' | 'close'>;
