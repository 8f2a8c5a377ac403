// One VM pool per kernel, booted when a kernel is first needed (or all at once with boot()),
// shared by everything the engine runs: campaign batches at normal priority, a reducer's
// candidate checks in the background, so reductions use what campaigns leave idle.
import type { Outcome, Program } from '../core/program/index.ts';
import { VmPool, type KernelImage, type PoolOptions, type RunProgress } from '../kernel/index.ts';

/** interactive: a user waits (a check); normal: campaign batches; background: a reducer's candidates */
export type Priority = NonNullable<RunProgress['priority']>;
export type PoolSettings = Partial<Omit<PoolOptions, 'kernel' | 'size'>>;

export interface PoolState {
  size: number;
  busy: number;
  restarts: number;
  /** guests started by booting the kernel */
  coldBoots: number;
  /** guests started from a snapshot of a booted guest (after a crash, hang or WARN) */
  restores: number;
}

export class KernelPools {
  private readonly pools = new Map<string, Promise<VmPool>>();
  private readonly restartsSeen = new Map<string, number>();
  /** pools that have booted, for state() (which cannot wait) */
  private readonly started = new Map<string, VmPool>();
  private closed = false;

  constructor(
    private readonly size: number,
    private readonly settings: PoolSettings = {},
  ) {}

  /** The pool of a kernel, booting it on first use; a failed boot is tried again next time. */
  pool(image: KernelImage): Promise<VmPool> {
    if (this.closed) return Promise.reject(new Error('the engine is closed'));
    let pool = this.pools.get(image.id);
    if (!pool) {
      // every outcome keeps its verifier log: a finding's example stores it (bounded)
      pool = VmPool.create({ keepLog: true, ...this.settings, kernel: image, size: this.size });
      this.pools.set(image.id, pool);
      pool.then((p) => this.started.set(image.id, p)).catch(() => this.pools.delete(image.id));
    }
    return pool;
  }

  async run(image: KernelImage, programs: readonly Program[], priority: Priority = 'normal', extra: Pick<RunProgress, 'settings' | 'keepLog'> = {}): Promise<Outcome[]> {
    return (await this.pool(image)).run(programs, { priority, ...extra });
  }

  private async booted(): Promise<Array<[string, VmPool]>> {
    const out: Array<[string, VmPool]> = [];
    for (const [id, pending] of this.pools) {
      const pool = await pending.catch(() => undefined);
      if (pool) out.push([id, pool]);
    }
    return out;
  }

  /** id → `uname -r` of each booted pool */
  async unames(): Promise<Record<string, string>> {
    return Object.fromEntries((await this.booted()).map(([id, p]) => [id, p.uname]));
  }

  /** Guest restarts since the last call, summed over pools: charged to the batch that saw them. */
  async newRestarts(): Promise<number> {
    let n = 0;
    for (const [id, pool] of await this.booted()) {
      const total = pool.metrics().restarts;
      n += total - (this.restartsSeen.get(id) ?? 0);
      this.restartsSeen.set(id, total);
    }
    return n;
  }

  async totalRestarts(): Promise<number> {
    return (await this.booted()).reduce((n, [, p]) => n + p.metrics().restarts, 0);
  }

  state(): Record<string, PoolState> {
    const state: Record<string, PoolState> = {};
    for (const id of this.pools.keys()) {
      const m = this.started.get(id)?.metrics();
      state[id] = { size: this.size, busy: 0, restarts: this.restartsSeen.get(id) ?? 0, coldBoots: m?.boots ?? 0, restores: m?.restores ?? 0 };
    }
    return state;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.pools.values()].map(async (p) => (await p.catch(() => undefined))?.close()));
    this.pools.clear();
    this.started.clear();
  }
}
