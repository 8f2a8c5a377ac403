// Which accelerator guests use. KVM only after a probe boot with it succeeded on this machine:
// on some hosts /dev/kvm exists yet KVM guests die (docs/KERNEL-NOTES.md), so its presence proves nothing.
// The probe's answer is cached per machine, QEMU binary and host kernel.
import { accessSync, constants, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, release } from 'node:os';
import { readMachineSettings } from '../config/index.ts';
import { dirname, join } from 'node:path';
import type { KernelImage } from './catalog.ts';
import { MsgType, Tag, readString } from './protocol.ts';
import { Vm, type Accel } from './vm.ts';

export type AccelChoice = Accel | 'auto';

export function accelCachePath(): string {
  return join(readMachineSettings().cacheDir, 'accel.json');
}

interface AccelCache {
  machine: string;
  kvm: boolean;
  probedAt: string;
  detail: string;
}

function machineKey(qemu: string): string {
  return `${hostname()} ${release()} ${qemu}`;
}

function kvmUsable(): boolean {
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

interface AccelProbeOptions {
  runDir: string;
  qemuBinary?: string;
  cachePath?: string;
  /** give up on the probe boot after this long */
  timeoutMs?: number;
}

/** Resolves `auto` to kvm or tcg (BPFDIFF_ACCEL=kvm|tcg overrides). */
export async function chooseAccel(choice: AccelChoice, kernel: KernelImage, opts: AccelProbeOptions): Promise<Accel> {
  const forced = readMachineSettings().accel;
  if (forced) return forced;
  if (choice !== 'auto') return choice;
  if (!kvmUsable()) return 'tcg';
  const qemu = opts.qemuBinary ?? 'qemu-system-x86_64';
  const cachePath = opts.cachePath ?? accelCachePath();
  const key = machineKey(qemu);
  try {
    const cached = JSON.parse(readFileSync(cachePath, 'utf8')) as AccelCache;
    if (cached.machine === key) return cached.kvm ? 'kvm' : 'tcg';
  } catch {
    // no cache yet: probe
  }
  const { kvm, detail } = await probeKvm(kernel, opts);
  try {
    mkdirSync(dirname(cachePath), { recursive: true });
    const entry: AccelCache = { machine: key, kvm, probedAt: new Date().toISOString(), detail };
    writeFileSync(cachePath, `${JSON.stringify(entry, null, 2)}\n`);
  } catch {
    // an unwritable cache only costs a probe next time
  }
  return kvm ? 'kvm' : 'tcg';
}

/** Boots one KVM guest and asks its agent for uname: KVM is usable only if all of that works. */
export async function probeKvm(kernel: KernelImage, opts: AccelProbeOptions): Promise<{ kvm: boolean; detail: string }> {
  let vm: Vm | undefined;
  try {
    vm = await Vm.boot({
      kernel,
      accel: 'kvm',
      memMiB: 256,
      cpus: 1,
      bootTimeoutMs: opts.timeoutMs ?? 30_000,
      runDir: opts.runDir,
      name: 'kvm-probe',
      qemuBinary: opts.qemuBinary,
      cpuModel: 'host',
    });
    const reply = await vm.request(MsgType.UNAME, [], 10_000);
    if (reply.status !== 'done') return { kvm: false, detail: `probe guest did not answer: ${reply.status}` };
    return { kvm: true, detail: `booted ${readString(reply.frame, Tag.UNAME) ?? vm.uname} in ${vm.bootMs} ms` };
  } catch (err) {
    return { kvm: false, detail: (err as Error).message.split('\n').slice(0, 3).join(' | ') };
  } finally {
    await vm?.close();
  }
}
