// Booted-guest snapshots: a guest whose agent is up and waiting for its first host is saved
// once per image with QEMU's migration to a file (`migrate exec:cat > FILE`), and a guest that
// crashed, hung or was tainted comes back by starting QEMU with `-incoming exec:cat FILE`
// instead of booting (vm-images/README.md says why migration and not savevm/loadvm).
//
// A snapshot is only as good as the exact machine it was taken of, so it is stored under a key
// made of everything that shapes the guest: the bytes of the kernel image and the initramfs
// (which holds the agent build and init), the QEMU binary and its version, and the whole QEMU
// command line with the per-guest paths taken out (CPU model, memory size, CPU count, kernel
// command line, accelerator, device set). A changed input gives another key, and a snapshot
// whose recorded identity does not match its key's is never loaded.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readMachineSettings } from '../config/index.ts';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { QmpClient, QmpError } from './qmp.ts';

/** Bump when the way a snapshot is taken changes in a way the command line does not show. */
const SNAPSHOT_FORMAT = 'bpfdiff.snapshot/v1';

/** What a snapshot was taken of; two guests with equal identities are the same machine. */
export interface SnapshotIdentity {
  format: string;
  /** sha256 of the kernel image */
  kernel: string;
  /** sha256 of the initramfs (init, busybox, the agent binary, modules) */
  initramfs: string;
  /** `qemu-system-x86_64 --version`, first line, plus the binary's size and mtime */
  qemu: string;
  /** the QEMU arguments with the kernel, initramfs and per-guest paths replaced by placeholders */
  args: string[];
}

export interface SnapshotInputs {
  kernelImage: string;
  initramfs: string;
  qemuBinary: string;
  /** Vm.qemuArgs of a guest, made with `GUEST_PLACEHOLDER` as its socket path */
  args: string[];
}

/** The socket path a snapshot identity's command line is made with. */
export const GUEST_PLACEHOLDER = '/GUEST.sock';

function defaultSnapshotDir(): string {
  return readMachineSettings().snapshotDir;
}

const fileHashes = new Map<string, { stamp: string; hash: string }>();

/** sha256 of a file, remembered per path, size and mtime for the life of the process. */
function fileHash(path: string): string {
  const st = statSync(path);
  const stamp = `${st.size}:${st.mtimeMs}`;
  const known = fileHashes.get(path);
  if (known?.stamp === stamp) return known.hash;
  const hash = createHash('sha256').update(readFileSync(path)).digest('hex');
  fileHashes.set(path, { stamp, hash });
  return hash;
}

const qemuVersions = new Map<string, string>();

function qemuVersion(binary: string): string {
  let v = qemuVersions.get(binary);
  if (v === undefined) {
    const out = execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 30_000 });
    const path = execFileSync('sh', ['-c', 'command -v "$1"', 'sh', binary], { encoding: 'utf8' }).trim() || binary;
    const st = statSync(path);
    v = `${out.split('\n')[0].trim()} (${path} ${st.size} bytes, mtime ${st.mtimeMs})`;
    qemuVersions.set(binary, v);
  }
  return v;
}

export function snapshotIdentity(inputs: SnapshotInputs): SnapshotIdentity {
  const args = inputs.args.map((a) => a.split(inputs.kernelImage).join('KERNEL').split(inputs.initramfs).join('INITRAMFS'));
  return {
    format: SNAPSHOT_FORMAT,
    kernel: fileHash(inputs.kernelImage),
    initramfs: fileHash(inputs.initramfs),
    qemu: qemuVersion(inputs.qemuBinary),
    args,
  };
}

export function snapshotKey(id: SnapshotIdentity): string {
  return createHash('sha256').update(JSON.stringify(id)).digest('hex').slice(0, 32);
}

/** Snapshot files in one directory: KEY.vmstate (QEMU's migration stream) and KEY.json (its identity). */
export class SnapshotStore {
  constructor(readonly dir: string = defaultSnapshotDir()) {}

  vmstatePath(key: string): string {
    return join(this.dir, `${key}.vmstate`);
  }

  private identityPath(key: string): string {
    return join(this.dir, `${key}.json`);
  }

  /** The stream file of a snapshot of exactly `id`, or undefined (none, or one that does not match). */
  find(id: SnapshotIdentity): string | undefined {
    const key = snapshotKey(id);
    const path = this.vmstatePath(key);
    if (!existsSync(path)) return undefined;
    try {
      const recorded = JSON.parse(readFileSync(this.identityPath(key), 'utf8')) as SnapshotIdentity;
      if (JSON.stringify(recorded) !== JSON.stringify(id)) return undefined;
    } catch {
      return undefined;
    }
    return path;
  }

  /** A fresh file name to migrate into; `commit` moves it into place. */
  tempPath(id: SnapshotIdentity): string {
    mkdirSync(this.dir, { recursive: true });
    return join(this.dir, `${snapshotKey(id)}.vmstate.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  }

  /** Moves a saved stream into place, and deletes the snapshots it supersedes (see `prune`). */
  commit(id: SnapshotIdentity, temp: string): string {
    const key = snapshotKey(id);
    writeFileSync(this.identityPath(key), JSON.stringify(id, null, 2) + '\n');
    const path = this.vmstatePath(key);
    renameSync(temp, path);
    this.prune(id);
    return path;
  }

  /**
   * Deletes the snapshots of the same guest (same QEMU command line) of another kernel image,
   * initramfs or QEMU that were saved more than a day ago: about 90 MB each, and superseded.
   * Younger ones stay: another checkout with its own agent build may be using one right now.
   */
  prune(current: SnapshotIdentity, olderThanMs = 24 * 3600 * 1000): void {
    const key = snapshotKey(current);
    for (const f of readdirSync(this.dir)) {
      if (!f.endsWith('.json') || f === `${key}.json`) continue;
      try {
        if (Date.now() - statSync(join(this.dir, f)).mtimeMs < olderThanMs) continue;
        const other = JSON.parse(readFileSync(join(this.dir, f), 'utf8')) as SnapshotIdentity;
        if (JSON.stringify(other.args) === JSON.stringify(current.args)) this.remove(f.slice(0, -'.json'.length));
      } catch {
        // not one of ours, or being written: leave it
      }
    }
  }

  /** Forgets a snapshot (one that failed to restore), by identity or key. */
  remove(id: SnapshotIdentity | string): void {
    const key = typeof id === 'string' ? id : snapshotKey(id);
    rmSync(this.vmstatePath(key), { force: true });
    rmSync(this.identityPath(key), { force: true });
  }
}

/** A path inside QEMU's `exec:` migration URI, which QEMU hands to `/bin/sh -c`. */
export function shellQuote(path: string): string {
  return `'${path.replace(/'/g, `'\\''`)}'`;
}

/**
 * Saves the running guest behind `qmpPath` into `file` (live: the guest keeps running and
 * stays usable afterwards). The guest is saved running, so a restore starts it right away.
 */
export async function saveGuest(qmpPath: string, file: string, deadline: number): Promise<{ ms: number; bytes: number }> {
  const started = Date.now();
  const qmp = await QmpClient.connect(qmpPath, deadline);
  try {
    await qmp.execute('migrate', { uri: `exec:cat > ${shellQuote(file)}` });
    for (;;) {
      const info = (await qmp.execute('query-migrate')) as { status?: string; 'error-desc'?: string; ram?: { transferred?: number } };
      if (info.status === 'completed') {
        // the source stops when the stream is complete; this guest goes on serving the pool
        await qmp.execute('cont');
        return { ms: Date.now() - started, bytes: info.ram?.transferred ?? 0 };
      }
      if (info.status === 'failed' || info.status === 'cancelled') throw new QmpError(`migration ${info.status}: ${info['error-desc'] ?? 'no reason given'}`);
      if (Date.now() > deadline) {
        await qmp.execute('migrate_cancel').catch(() => undefined);
        throw new QmpError('migration did not complete in time');
      }
      await sleep(20);
    }
  } finally {
    qmp.close();
  }
}
