// services/dashboard/isa.js is generated from core/isa; this fails when it is out of date
// (run `node --import tsx scripts/dashboard-isa.ts`).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DASHBOARD_ISA_PATH, dashboardIsaSource } from '../../scripts/dashboard-isa.ts';

describe('dashboard isa.js', () => {
  it('is the module scripts/dashboard-isa.ts generates from core/isa', () => {
    expect(readFileSync(DASHBOARD_ISA_PATH, 'utf8')).toBe(dashboardIsaSource());
  });
  it('holds the values the finding page relies on', async () => {
    const isa = (await import('./isa.js' as string)) as Record<string, number>;
    expect(isa.OP_CALL).toBe(0x85);
    expect(isa.OP_LD_IMM64).toBe(0x18);
    expect(isa.OP_STACK_ARG_STX).toBe(0x7b);
    expect(isa.R11).toBe(11);
  });
});
