// The pool's side of snapshots: which snapshot its guests restore from, which cold boot saves
// one when there is none, and what happens when saving or restoring fails (said once, then
// guests boot as before). kernel/snapshot.ts has the identity and the files; kernel/vm.ts the
// QEMU side.
import { rmSync } from 'node:fs';
import { GUEST_PLACEHOLDER, SnapshotStore, snapshotIdentity, type SnapshotIdentity } from './snapshot.ts';
import { Vm, type VmConfig } from './vm.ts';

/** A snapshot that failed to restore is taken again once; after a second failure the pool boots. */
const MAX_RESTORE_FAILURES = 2;

export class PoolSnapshots {
  private readonly store: SnapshotStore;
  private identity: SnapshotIdentity | undefined;
  private path: string | undefined;
  private saving = false;
  private disabled = false;
  private restoreFailures = 0;
  private readonly said = new Set<string>();

  constructor(
    dir: string | undefined,
    private readonly log: (line: string) => void = (line) => process.stderr.write(`bpfdiff: ${line}\n`),
  ) {
    this.store = new SnapshotStore(dir);
  }

  /** Works out the identity of the pool's guests and looks for a snapshot of exactly them. */
  prepare(config: VmConfig): void {
    try {
      this.identity = snapshotIdentity({
        kernelImage: config.kernel.image,
        initramfs: config.kernel.initramfs,
        qemuBinary: config.qemuBinary ?? 'qemu-system-x86_64',
        args: Vm.qemuArgs(config, GUEST_PLACEHOLDER),
      });
      this.path = this.store.find(this.identity);
    } catch (err) {
      this.disable(`snapshots are off for kernel ${config.kernel.id}: ${(err as Error).message}`);
    }
  }

  /** The file to restore guests from, when there is a usable snapshot. */
  restorePath(): string | undefined {
    return this.disabled ? undefined : this.path;
  }

  /** A temporary file for the next cold boot to save itself into, if a snapshot is wanted and nobody is saving one. */
  claimSave(): string | undefined {
    if (this.disabled || this.saving || this.path || !this.identity) return undefined;
    this.saving = true;
    return this.store.tempPath(this.identity);
  }

  saved(temp: string): void {
    this.saving = false;
    if (this.identity) this.path = this.store.commit(this.identity, temp);
  }

  saveFailed(temp: string, why: string): void {
    this.saving = false;
    rmSync(temp, { force: true });
    this.disable(`could not save a snapshot of a booted guest, guests will boot instead: ${firstLine(why)}`);
  }

  restoreFailed(err: Error): void {
    if (++this.restoreFailures === 1) this.say(`a guest did not come back from its snapshot, booting it instead: ${firstLine(err.message)}`);
    if (this.identity) this.store.remove(this.identity);
    this.path = undefined;
    if (this.restoreFailures >= MAX_RESTORE_FAILURES) this.disable('snapshots are off for this pool after a second failed restore');
  }

  private disable(why: string): void {
    this.disabled = true;
    this.say(why);
  }

  private say(line: string): void {
    if (this.said.has(line)) return;
    this.said.add(line);
    this.log(line);
  }
}

function firstLine(text: string): string {
  const lines = text.split('\n');
  return lines.length > 1 ? `${lines[0]} (${lines.slice(1).find((l) => /qemu:/.test(l)) ?? ''})`.replace(/ \(\)$/, '') : lines[0];
}
