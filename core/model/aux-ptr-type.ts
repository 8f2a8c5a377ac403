// save_aux_ptr_type (kernel/bpf/verifier.c): a load or store remembers the pointer type it went
// through on the first path that reached it (insn_aux_data.ptr_type, which convert_ctx_accesses
// rewrites the instruction for). A later path through another type is refused when either type
// is one whose accesses get rewritten (reg_type_mismatch_ok: ctx, the sockets, BTF ids); a load
// may mix memory and BTF-id pointers, which become an untrusted pointer (7.x; 6.12 merges two
// BTF ids only).
import { cover } from './coverage.ts';
import { EINVAL } from './messages.ts';
import { reject, type CheckResult } from './precheck.ts';
import type { RegType } from './state.ts';

const REWRITTEN: ReadonlySet<RegType> = new Set<RegType>(['ptr_to_ctx', 'sock', 'sock_common', 'tcp_sock', 'ptr_to_btf_id']);
const MEM_OR_BTF: ReadonlySet<RegType> = new Set<RegType>(['mem', 'rdonly_untrusted_mem', 'ptr_to_btf_id']);

/** `seen`: insn → the type saved; `allowTrustMismatch`: the instruction is a plain load (check_load_mem's) */
export function saveAuxPtrType(seen: Map<number, RegType>, idx: number, type: RegType, allowTrustMismatch: boolean): CheckResult | undefined {
  const prev = seen.get(idx);
  if (prev === undefined) {
    seen.set(idx, type);
    return undefined;
  }
  if (prev === type || (!REWRITTEN.has(type) && !REWRITTEN.has(prev))) return undefined;
  if (allowTrustMismatch && MEM_OR_BTF.has(type) && MEM_OR_BTF.has(prev)) {
    seen.set(idx, 'rdonly_untrusted_mem');
    return undefined;
  }
  cover('save_aux_ptr_type:mismatch');
  return reject(EINVAL, 'same insn cannot be used with different pointers');
}
