// The kernel's rewritten program (`xlated_prog_insns`) in a form that does not depend on the
// boot: bpf_insn_prepare_dump (kernel/bpf/syscall.c) writes a map load as the map's global id
// (src_reg PSEUDO_MAP_FD or PSEUDO_MAP_VALUE, imm = map->id, next imm = value offset). Map ids
// count up over a guest's life, so each is replaced by the program's own map index, as the
// program file writes it. Everything else is kept as the kernel dumped it.
import { BPF_PSEUDO_MAP_FD as PSEUDO_MAP_FD, BPF_PSEUDO_MAP_VALUE as PSEUDO_MAP_VALUE, OPCODE_LD_IMM64 as LD_IMM64, rawFromBytes, rawToHex, type RawInsn } from '../core/isa/index.ts';
import type { Program } from '../core/program/types.ts';

const isMapLoad = (insn: RawInsn) => insn.code === LD_IMM64 && (insn.src === PSEUDO_MAP_FD || insn.src === PSEUDO_MAP_VALUE);

/**
 * The program's map indices in the verifier's used_maps order: resolve_pseudo_ldimm64 walks
 * the instructions front to back and __add_used_map appends a map at its first reference.
 */
export function usedMapOrder(program: Program): number[] {
  const order: number[] = [];
  const insns = program.insns;
  for (let i = 0; i < insns.length; i++) {
    if (insns[i].code !== LD_IMM64) continue;
    if (isMapLoad(insns[i]) && !order.includes(insns[i].imm)) order.push(insns[i].imm);
    i++; // second half of the 16-byte load
  }
  return order;
}

/** The dumped program as hex, with map ids replaced by the program's map indices. */
export function normalizeXlated(xlated: Uint8Array, mapIds: readonly number[], program: Program): string {
  const insns = rawFromBytes(xlated);
  const order = usedMapOrder(program);
  const indexOfId = new Map<number, number>();
  mapIds.forEach((id, k) => {
    if (k < order.length) indexOfId.set(id, order[k]);
  });
  for (let i = 0; i < insns.length; i++) {
    if (insns[i].code !== LD_IMM64) continue;
    const index = isMapLoad(insns[i]) ? indexOfId.get(insns[i].imm >>> 0) : undefined;
    if (index !== undefined) insns[i] = { ...insns[i], imm: index };
    i++;
  }
  return rawToHex(insns);
}
