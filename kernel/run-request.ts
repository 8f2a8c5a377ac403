// A Program as the agent's RUN request: raw instructions, BTF + func_info derived from the
// function table (core/btf), the declared maps and the test-run input.
import { buildProgramBtf } from '../core/btf/index.ts';
import { rawToBytes } from '../core/isa/raw.ts';
import { MAP_TYPE_IDS, PROG_TYPE_IDS, type Program } from '../core/program/types.ts';
import type { RunRequest } from './protocol.ts';

export interface RunSettings {
  /** verifier log level (1 = reason lines, 2 = every state) */
  logLevel?: number;
  /** verifier log buffer in bytes */
  logSize?: number;
  wantJitImage?: boolean;
  /** test-run repeat count */
  repeat?: number;
}

/**
 * Subprograms get their argument counts only from BTF (func_info -> FUNC -> FUNC_PROTO),
 * so any program with more than one function is loaded with BTF; a lone main function
 * is loaded without, unless it declares more than 5 arguments.
 */
export function needsBtf(program: Program): boolean {
  return program.funcs.length > 1 || program.funcs.some((f) => f.args > 5);
}

export function runRequestFor(program: Program, settings: RunSettings = {}): RunRequest {
  const req: RunRequest = {
    progType: PROG_TYPE_IDS[program.progType],
    insns: rawToBytes(program.insns),
    maps: program.maps.map((m) => ({
      mapType: MAP_TYPE_IDS[m.type],
      keySize: m.keySize,
      valueSize: m.valueSize,
      maxEntries: m.maxEntries,
    })),
    input: program.input,
  };
  if (needsBtf(program)) {
    const { btf, funcInfo } = buildProgramBtf(program.funcs, { progType: program.progType });
    req.btf = btf;
    req.funcInfo = funcInfo;
  }
  if (settings.logLevel !== undefined) req.logLevel = settings.logLevel;
  if (settings.logSize !== undefined) req.logSize = settings.logSize;
  if (settings.wantJitImage) req.wantJitImage = true;
  if (settings.repeat !== undefined) req.repeat = settings.repeat;
  return req;
}
