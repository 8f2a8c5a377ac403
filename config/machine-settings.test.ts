import { describe, expect, it } from 'vitest';
import { readMachineSettings, SettingsError } from './settings.ts';

describe('readMachineSettings', () => {
  it('puts caches under XDG_CACHE_HOME/bpfdiff and snapshots beneath them unless BPFDIFF_SNAPSHOT_DIR says otherwise', () => {
    const s = readMachineSettings({ XDG_CACHE_HOME: '/tmp/xdg' });
    expect(s).toEqual({ catalogPath: undefined, accel: undefined, snapshotDir: '/tmp/xdg/bpfdiff/snapshots', cacheDir: '/tmp/xdg/bpfdiff' });
    expect(readMachineSettings({ XDG_CACHE_HOME: '/tmp/xdg', BPFDIFF_SNAPSHOT_DIR: '/srv/snap' }).snapshotDir).toBe('/srv/snap');
  });

  it('takes kvm or tcg as a forced accelerator and auto as none', () => {
    expect(readMachineSettings({ BPFDIFF_ACCEL: 'tcg' }).accel).toBe('tcg');
    expect(readMachineSettings({ BPFDIFF_ACCEL: 'auto' }).accel).toBeUndefined();
  });

  it('names the variable and the accepted values for a bad accelerator', () => {
    expect(() => readMachineSettings({ BPFDIFF_ACCEL: 'hvf' })).toThrow(SettingsError);
    expect(() => readMachineSettings({ BPFDIFF_ACCEL: 'hvf' })).toThrow('BPFDIFF_ACCEL: expected auto, kvm or tcg, got "hvf"');
  });
});
