// Snapshot identity and store: a change to anything that shapes the guest gives another key,
// and a snapshot file whose recorded identity does not match is never offered for restore.
import { existsSync, mkdtempSync, rmSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GUEST_PLACEHOLDER, SnapshotStore, shellQuote, snapshotIdentity, snapshotKey, type SnapshotInputs } from './snapshot.ts';
import { Vm, type VmConfig } from './vm.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bpfdiff-snapshot-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function inputs(over: Partial<VmConfig> = {}): SnapshotInputs {
  const kernelImage = join(dir, 'vmlinuz');
  const initramfs = join(dir, 'initramfs.cpio.gz');
  const config: VmConfig = {
    kernel: { id: '7.2', profile: '7.2', image: kernelImage, initramfs },
    accel: 'tcg', memMiB: 512, cpus: 1, bootTimeoutMs: 1000, runDir: dir, name: 'vm0-1',
    qemuBinary: process.execPath, // any binary that answers --version
    ...over,
  };
  return { kernelImage, initramfs, qemuBinary: config.qemuBinary!, args: Vm.qemuArgs(config, GUEST_PLACEHOLDER) };
}

describe('snapshot identity', () => {
  beforeEach(() => {
    writeFileSync(join(dir, 'vmlinuz'), 'kernel one');
    writeFileSync(join(dir, 'initramfs.cpio.gz'), 'initramfs one');
  });

  it('is the same for the same guest, and differs with the kernel, initramfs, CPU model, memory or command line', () => {
    const base = snapshotKey(snapshotIdentity(inputs()));
    expect(snapshotKey(snapshotIdentity(inputs()))).toBe(base);
    expect(snapshotKey(snapshotIdentity(inputs({ cpuModel: 'Haswell' })))).not.toBe(base);
    expect(snapshotKey(snapshotIdentity(inputs({ memMiB: 256 })))).not.toBe(base);
    expect(snapshotKey(snapshotIdentity(inputs({ append: 'bpf_jit_harden=2' })))).not.toBe(base);
    writeFileSync(join(dir, 'initramfs.cpio.gz'), 'initramfs two (a new agent build)');
    utimesSync(join(dir, 'initramfs.cpio.gz'), new Date(), new Date(Date.now() + 5000));
    const newAgent = snapshotKey(snapshotIdentity(inputs()));
    expect(newAgent).not.toBe(base);
    writeFileSync(join(dir, 'vmlinuz'), 'kernel two');
    utimesSync(join(dir, 'vmlinuz'), new Date(), new Date(Date.now() + 5000));
    expect(snapshotKey(snapshotIdentity(inputs()))).not.toBe(newAgent);
  });

  it('does not depend on where the guest socket or the image files are', () => {
    const a = snapshotIdentity(inputs());
    expect(a.args.join(' ')).not.toContain(dir);
    expect(a.args).toContain('KERNEL');
    expect(a.args).toContain('INITRAMFS');
    expect(a.qemu).toMatch(/^v\d+/); // node --version stands in for QEMU here
  });
});

describe('snapshot store', () => {
  beforeEach(() => {
    writeFileSync(join(dir, 'vmlinuz'), 'kernel one');
    writeFileSync(join(dir, 'initramfs.cpio.gz'), 'initramfs one');
  });

  it('finds a committed snapshot only for the identity it was taken of', () => {
    const store = new SnapshotStore(join(dir, 'snaps'));
    const id = snapshotIdentity(inputs());
    expect(store.find(id)).toBeUndefined();
    const temp = store.tempPath(id);
    writeFileSync(temp, 'vmstate');
    const path = store.commit(id, temp);
    expect(store.find(id)).toBe(path);
    expect(store.find(snapshotIdentity(inputs({ cpuModel: 'Haswell' })))).toBeUndefined();
  });

  it('never offers a snapshot whose recorded identity does not match its key (stale or tampered)', () => {
    const store = new SnapshotStore(join(dir, 'snaps'));
    const id = snapshotIdentity(inputs());
    const temp = store.tempPath(id);
    writeFileSync(temp, 'vmstate');
    store.commit(id, temp);
    writeFileSync(join(dir, 'snaps', `${snapshotKey(id)}.json`), JSON.stringify({ ...id, qemu: 'QEMU emulator version 7.1.0' }));
    expect(store.find(id)).toBeUndefined();
    writeFileSync(join(dir, 'snaps', `${snapshotKey(id)}.json`), 'not json');
    expect(store.find(id)).toBeUndefined();
  });

  it('deletes day-old snapshots a new one supersedes (same guest, other image), and keeps other guests\' ones', () => {
    const store = new SnapshotStore(join(dir, 'snaps'));
    const save = (id: ReturnType<typeof snapshotIdentity>) => {
      const temp = store.tempPath(id);
      writeFileSync(temp, 'vmstate');
      return store.commit(id, temp);
    };
    const old = snapshotIdentity(inputs());
    save(old);
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600 * 1000);
    utimesSync(join(dir, 'snaps', `${snapshotKey(old)}.json`), twoDaysAgo, twoDaysAgo);
    const haswell = snapshotIdentity(inputs({ cpuModel: 'Haswell' }));
    save(haswell);
    writeFileSync(join(dir, 'initramfs.cpio.gz'), 'initramfs two (a new agent build)');
    utimesSync(join(dir, 'initramfs.cpio.gz'), new Date(), new Date(Date.now() + 5000));
    const current = snapshotIdentity(inputs());
    save(current);
    expect(store.find(current)).toBeDefined();
    expect(existsSync(store.vmstatePath(snapshotKey(old)))).toBe(false);
    expect(store.find(haswell)).toBeDefined(); // another CPU model: another guest
    // a superseded snapshot saved just now stays (another checkout may be restoring from it)
    writeFileSync(join(dir, 'initramfs.cpio.gz'), 'initramfs three');
    utimesSync(join(dir, 'initramfs.cpio.gz'), new Date(), new Date(Date.now() + 10_000));
    save(snapshotIdentity(inputs()));
    expect(store.find(current)).toBeDefined();
  });

  it('forgets a snapshot on remove', () => {
    const store = new SnapshotStore(join(dir, 'snaps'));
    const id = snapshotIdentity(inputs());
    const temp = store.tempPath(id);
    writeFileSync(temp, 'vmstate');
    store.commit(id, temp);
    store.remove(id);
    expect(store.find(id)).toBeUndefined();
  });
});

describe('shellQuote', () => {
  it('keeps a path with spaces and quotes one word for /bin/sh', () => {
    expect(shellQuote("/tmp/a b/it's")).toBe(`'/tmp/a b/it'\\''s'`);
  });
});
