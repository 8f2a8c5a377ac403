// `bpfdiff ... | head` ends quietly when head closes the pipe.
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const bin = join(import.meta.dirname, '..', 'bin', 'bpfdiff.js');

describe('output into a pipe closed early', () => {
  it('bpfdiff gen --count 2000 | head -c 100: exit 0 and nothing on stderr', async () => {
    const r = await execa('bash', ['-c', `set -o pipefail; node ${bin} gen --count 2000 --seed 1 | head -c 100 > /dev/null`], { reject: false });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
  }, 120_000);
});
