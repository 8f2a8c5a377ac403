// The concrete interpreter: runs a Program the way the kernel's test run would after the
// verifier accepted it (kernel/bpf/core.c ___bpf_prog_run for instruction semantics,
// kernel/bpf/fixups.c for the patched division cases, the 7.2 r11 stack-argument ABI).
// Values are u64 BigInts; a parallel provenance per register and stack byte tracks what a
// real kernel would not reproduce (addresses, garbage), so the result can say so.
import type { MapDecl, Program } from '../../program/types.ts';
import { HELPER_NAMES, type RawInsn } from '../../isa/index.ts';
import { aluResult, endianResult, U32_MASK } from './alu.ts';
import {
  frameTop, loadPlain, newStackRegion, resetStackRegion, storePlain, writeBytes,
  type Loaded, type Provenance, type Region,
} from './memory.ts';
import { buildTestRun, type TestRunEnv } from './test-run.ts';
import { legacyPacketLoad } from './ld-abs.ts';
import { DEFAULT_HELPERS, type HelperMemory, type HelperTable } from './helpers.ts';
import { MapStore, type MapObjectImage } from './maps.ts';
import { InterpFault, InterpStepLimit, InterpUnsupported } from './errors.ts';
import { BPF_ABS, BPF_ADD, BPF_ALU, BPF_ALU64, BPF_AND, BPF_ATOMIC, BPF_CALL, BPF_CMPXCHG, BPF_END, BPF_EXIT, BPF_FETCH, BPF_HELPER_CALL, BPF_IND, BPF_JA, BPF_JCOND, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JLE, BPF_JLT, BPF_JMP, BPF_JMP32, BPF_JNE, BPF_JSET, BPF_JSGE, BPF_JSGT, BPF_JSLE, BPF_JSLT, BPF_LD, BPF_LDX, BPF_LOAD_ACQ, BPF_MEM, BPF_MEMSX, BPF_MOV, BPF_NEG, BPF_OR, BPF_PSEUDO_BTF_ID, BPF_PSEUDO_CALL, BPF_PSEUDO_FUNC, BPF_PSEUDO_MAP_FD, BPF_PSEUDO_MAP_IDX, BPF_PSEUDO_MAP_IDX_VALUE, BPF_PSEUDO_MAP_VALUE, BPF_ST, BPF_STORE_REL, BPF_STX, BPF_SUB, BPF_X, BPF_XCHG, BPF_XOR, OPCODE_LD_IMM64, opClass, opMode, opOp, sizeBytes } from '../../isa/index.ts';

interface ExecuteOptions {
  /** instructions executed before giving up with InterpStepLimit (default 10,000,000) */
  maxSteps?: number;
  /** helper id -> implementation (default DEFAULT_HELPERS) */
  helpers?: HelperTable;
  /** register number of the stack-argument pointer (BPF_REG_PARAMS, 11 in 7.2) */
  stackArgReg?: number;
  /** the known bytes of each map's struct (what loads through a map pointer read); none: all unknown */
  mapObject?: (decl: MapDecl) => MapObjectImage | undefined;
  /**
   * Called before each instruction with the live registers of the running frame (copy what you
   * keep) and their provenance: undefined for a plain number the real kernel holds too, else an
   * address or a value it would not reproduce. `depth` is the call depth (0: main).
   */
  onStep?: (pc: number, depth: number, regs: readonly bigint[], prov: readonly (Provenance | undefined)[]) => void;
}

interface ExecuteResult {
  /** low 32 bits of r0, as BPF_PROG_TEST_RUN reports it */
  retval: number;
  r0: bigint;
  /** why the result would not be reproduced by a real kernel, if it would not */
  unpredictable?: string;
  /** instructions executed */
  steps: number;
}

/**
 * A safety bound, not a kernel rule: the verifier enforces each kernel's MAX_CALL_FRAMES per
 * verification, but a global function is verified from frame 0, so a chain through global
 * functions runs deeper than any one verification sees.
 */
const MAX_CALL_FRAMES = 64;
/** MAX_BPF_FUNC_ARGS - 5: outgoing stack-argument slots (r11-8 .. r11-56) */
const STACK_ARG_SLOTS = 7;
/** BPF_MAX_LOOPS: may_goto's budget (x86's timed variant stops by time instead) */
const MAY_GOTO_BUDGET = 8 * 1024 * 1024;

/** what an LD_IMM64 with a pseudo src_reg loads, for InterpUnsupported */
const LD_IMM64_PSEUDO: Record<number, string> = {
  [BPF_PSEUDO_MAP_IDX]: 'maps through fd_array', [BPF_PSEUDO_MAP_IDX_VALUE]: 'maps through fd_array', [BPF_PSEUDO_BTF_ID]: 'kernel symbol addresses (BTF ids)',
  [BPF_PSEUDO_FUNC]: 'callback function addresses',
};

const UNINIT_REG: Provenance = { kind: 'taint', why: 'read of a register the verifier considers uninitialised' };
const CLOBBERED: Provenance = { kind: 'taint', why: 'read of r1-r5 after a call clobbered them' };

interface Frame {
  /** instruction after the call, in the caller */
  returnPc: number;
  /** caller's r6-r9 (callee-saved) */
  savedRegs: bigint[];
  savedProv: (Provenance | undefined)[];
  stack: Region;
  /** outgoing stack-argument slot k-1 holds argument 5+k of the next call */
  outgoing: (Loaded | undefined)[];
  /** incoming stack arguments: slot k-1 holds argument 5+k */
  incoming: (Loaded | undefined)[];
  mayGotoLeft: number;
}

const asU64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const asS64 = (v: bigint): bigint => BigInt.asIntN(64, v);
const asS32 = (v: bigint): bigint => BigInt.asIntN(32, v);
const operand32or64 = (v: bigint, is64: boolean): bigint => (is64 ? v : v & U32_MASK);
const helperArgument = (): string => 'a helper argument';

/**
 * Stack regions by call depth, shared by every run (reset when a run takes one): a run
 * allocates no stack memory of its own. Nothing of a run refers to them once it returns.
 */
const stackPool: Region[] = [];

export function execute(program: Program, input?: Uint8Array, options: ExecuteOptions = {}): ExecuteResult {
  return new Machine(program, input, options).run();
}

/** One test run: registers, frames and the address space. Methods, not closures, keep a run cheap to set up. */
class Machine {
  private readonly insns: readonly RawInsn[];
  private readonly maxSteps: number;
  private readonly helpers: HelperTable;
  private readonly r11: number;
  private readonly env: TestRunEnv;
  private readonly funcStarts: Set<number>;
  private readonly regions: Region[] = [];
  /** region.base + region.bytes.length, by index in regions */
  private readonly regionEnds: bigint[] = [];
  /** the stack regions this run took, by depth */
  private readonly stacks: Region[] = [];
  // register 11 is both the stack-argument pointer and out of range of dst/src otherwise
  private readonly regs: bigint[] = new Array<bigint>(16).fill(0n);
  private readonly prov: (Provenance | undefined)[] = new Array<Provenance | undefined>(16).fill(UNINIT_REG);
  private unpredictable: string | undefined;
  private readonly frames: Frame[] = [];
  private frame: Frame;
  private readonly maps: MapStore;
  private steps = 0;
  private pc = 0;
  private readonly onStep: ExecuteOptions['onStep'];
  /** memory as helpers see it: by address, byte provenance included (uninitialised stack is taint) */
  private readonly helperMemory: HelperMemory;

  constructor(
    private readonly program: Program,
    input: Uint8Array | undefined,
    options: ExecuteOptions,
  ) {
    this.insns = program.insns;
    this.maxSteps = options.maxSteps ?? 10_000_000;
    this.helpers = options.helpers ?? DEFAULT_HELPERS;
    this.r11 = options.stackArgReg ?? 11;
    this.onStep = options.onStep;
    this.env = buildTestRun(program.progType, input ?? program.input);
    this.funcStarts = new Set(program.funcs.map((f) => f.start));
    this.addRegion(this.env.ctx);
    this.addRegion(this.env.packet);
    this.maps = new MapStore(program.maps, (r) => this.addRegion(r), options.mapObject);
    this.frame = this.enterFrame(-1, []);
    this.regs[1] = this.env.ctx.base;
    this.prov[1] = { kind: 'addr', region: this.env.ctx };
    const m = this;
    this.helperMemory = {
      read(addr, size) {
        if (size === 0) return { bytes: new Uint8Array(0), prov: [] };
        const { region, at } = m.resolveAt(m.pc, addr.value, addr.prov, size, helperArgument);
        const out: (Provenance | undefined)[] = new Array<Provenance | undefined>(size);
        for (let i = 0; i < size; i++) {
          out[i] = region.init && !region.init[at + i] ? { kind: 'taint', why: `read of uninitialised ${region.name}` } : region.prov?.[at + i];
        }
        return { bytes: region.bytes.slice(at, at + size), prov: out };
      },
      write(addr, bytes, p) {
        if (bytes.length === 0) return;
        const { region, at } = m.resolveAt(m.pc, addr.value, addr.prov, bytes.length, helperArgument);
        if (!region.writable) throw new InterpFault(`helper write to read-only ${region.name}`, m.pc);
        region.bytes.set(bytes, at);
        if (region.init && region.prov) {
          region.init.fill(1, at, at + bytes.length);
          for (let i = 0; i < bytes.length; i++) region.prov[at + i] = p?.[i];
        } else if (p?.some((x) => x)) {
          m.markUnpredictable(`a helper wrote bytes that are not plain numbers to ${region.name}`);
        }
      },
    };
  }

  private addRegion(region: Region): void {
    this.regions.push(region);
    this.regionEnds.push(region.base + BigInt(region.bytes.length));
  }

  private markUnpredictable(why: string): void {
    this.unpredictable ??= why;
  }

  private stackFor(depth: number): Region {
    let region = this.stacks[depth];
    if (!region) {
      region = stackPool[depth];
      if (region) resetStackRegion(region);
      else stackPool[depth] = region = newStackRegion(depth);
      this.stacks[depth] = region;
      this.addRegion(region);
    } else {
      resetStackRegion(region);
    }
    return region;
  }

  private enterFrame(returnPc: number, incoming: (Loaded | undefined)[]): Frame {
    const { regs, prov } = this;
    const frame: Frame = {
      returnPc,
      savedRegs: regs.slice(6, 10),
      savedProv: prov.slice(6, 10),
      stack: this.stackFor(this.frames.length),
      outgoing: new Array<Loaded | undefined>(STACK_ARG_SLOTS).fill(undefined),
      incoming,
      mayGotoLeft: MAY_GOTO_BUDGET,
    };
    this.frames.push(frame);
    regs[10] = frameTop(frame.stack);
    prov[10] = { kind: 'addr', region: frame.stack };
    prov[0] = UNINIT_REG;
    for (let r = 6; r <= 9; r++) prov[r] = UNINIT_REG;
    return frame;
  }

  /** the region holding [addr, addr + size); `what` names the address in a fault */
  private resolveAt(pc: number, addr: bigint, p: Provenance | undefined, size: number, what: () => string): { region: Region; at: number } {
    if (p?.kind === 'taint') this.markUnpredictable(`memory address computed from a value that is not reproducible (${p.why})`);
    const { regions, regionEnds } = this;
    for (let i = 0; i < regions.length; i++) {
      const region = regions[i]!;
      if (addr >= region.base && addr < regionEnds[i]!) {
        const at = Number(addr - region.base);
        if (at + size > region.bytes.length) break;
        if (region.retired) this.markUnpredictable(`access to ${region.retired}`);
        return { region, at };
      }
    }
    throw new InterpFault(`access of ${size} bytes at ${what()} (0x${addr.toString(16)}) is outside every region`, pc);
  }

  private resolve(pc: number, base: number, off: number, size: number): { region: Region; at: number } {
    return this.resolveAt(pc, asU64(this.regs[base] + BigInt(off)), this.prov[base], size, () => `r${base}${off >= 0 ? '+' : ''}${off}`);
  }

  private load(pc: number, base: number, off: number, size: number): Loaded {
    const { region, at } = this.resolve(pc, base, off, size);
    const hooked = region.special?.read(at, size);
    return hooked ?? loadPlain(region, at, size);
  }

  private store(pc: number, base: number, off: number, size: number, value: bigint, p: Provenance | undefined): void {
    const { region, at } = this.resolve(pc, base, off, size);
    if (!region.writable) throw new InterpFault(`write to read-only ${region.name}`, pc);
    const truncated = BigInt.asUintN(size * 8, value);
    if (region.special?.write(at, size, truncated)) return;
    if (p && region !== this.frame.stack && !region.init) {
      // only the stack keeps provenance; an address or garbage written elsewhere is lost
      this.markUnpredictable(`${p.kind === 'addr' ? 'an address' : 'a value that is not reproducible'} was written to ${region.name}`);
    }
    if (region.init) storePlain(region, at, size, truncated, p);
    else writeBytes(region.bytes, at, size, truncated);
  }

  private clobberCallerSaved(why: Provenance): void {
    for (let r = 1; r <= 5; r++) this.prov[r] = why;
  }

  /** a conditional jump on something the real kernel does not reproduce makes the path unreproducible */
  private checkBranch(is64: boolean, dp: Provenance | undefined, sp: Provenance | undefined, dv: bigint, sv: bigint): void {
    if (dp?.kind === 'taint') return this.markUnpredictable(`branch on a value that is not reproducible (${dp.why})`);
    if (sp?.kind === 'taint') return this.markUnpredictable(`branch on a value that is not reproducible (${sp.why})`);
    if (!dp && !sp) return;
    if (dp?.kind === 'addr' && sp?.kind === 'addr' && dp.region === sp.region && is64) return;
    const other = dp ? sv : dv;
    if ((!dp || !sp) && other === 0n && is64) return; // NULL check of a pointer
    this.markUnpredictable('branch compares an address with a number');
  }

  run(): ExecuteResult {
    const { insns, regs, prov, r11 } = this;
    for (;;) {
      const pc = this.pc;
      if (pc < 0 || pc >= insns.length) throw new InterpFault('fell off the program', pc);
      if (++this.steps > this.maxSteps) throw new InterpStepLimit(this.maxSteps, pc);
      if (this.onStep) this.onStep(pc, this.frames.length - 1, regs, prov);
      const insn = insns[pc];
      const code = insn.code;
      const cls = opClass(code);
      const dst = insn.dst;
      const src = insn.src;
      // r11 is only the base of stack-argument stores (dst) and loads (src); checked per class below
      if ((dst === r11 && cls !== BPF_ST && cls !== BPF_STX) || (src === r11 && cls !== BPF_LDX)) {
        throw new InterpFault(`r11 used by opcode 0x${code.toString(16)}`, pc);
      }

      switch (cls) {
        case BPF_ALU:
        case BPF_ALU64: {
          const is64 = cls === BPF_ALU64;
          const op = opOp(code);
          if (op === BPF_END) {
            const kind = is64 ? (code & BPF_X ? undefined : 'bswap') : code & BPF_X ? 'be' : 'le';
            const out = kind ? endianResult(kind, insn.imm, regs[dst]) : undefined;
            if (out === undefined) throw new InterpFault(`invalid byte swap (code 0x${code.toString(16)}, imm ${insn.imm})`, pc);
            regs[dst] = out;
            if (prov[dst]) prov[dst] = aluProv(BPF_NEG, is64, prov[dst], undefined);
            break;
          }
          if (is64 && op === BPF_MOV && code & BPF_X && insn.off === 1) throw new InterpUnsupported('addr_space_cast (arena)', pc);
          const byReg = (code & BPF_X) !== 0;
          if (op === BPF_NEG && byReg) throw new InterpFault(`invalid opcode 0x${code.toString(16)}`, pc);
          const srcVal = byReg ? regs[src] : is64 ? asU64(BigInt(insn.imm)) : BigInt(insn.imm >>> 0);
          const srcProv = byReg ? prov[src] : undefined;
          const out = aluResult(op, is64, regs[dst], srcVal, insn.off);
          if (out === undefined) throw new InterpFault(`invalid ALU instruction (code 0x${code.toString(16)}, off ${insn.off})`, pc);
          const dstProv = op === BPF_MOV ? undefined : prov[dst];
          regs[dst] = out;
          prov[dst] = dstProv || srcProv ? aluProv(op, is64 && (op !== BPF_MOV || insn.off === 0), dstProv, srcProv) : undefined;
          break;
        }

        case BPF_JMP:
        case BPF_JMP32: {
          const is64 = cls === BPF_JMP;
          const op = opOp(code);
          if (op === BPF_JA) {
            if (code & BPF_X) throw new InterpUnsupported('gotox (indirect jump)', pc);
            this.pc += 1 + (is64 ? insn.off : insn.imm);
            continue;
          }
          if (is64 && (op === BPF_CALL || op === BPF_EXIT || op === BPF_JCOND) && code & BPF_X) {
            throw new InterpFault(`invalid opcode 0x${code.toString(16)}`, pc);
          }
          if (is64 && op === BPF_CALL) {
            if (src === BPF_PSEUDO_CALL) {
              const target = pc + insn.imm + 1;
              if (!this.funcStarts.has(target)) throw new InterpFault(`call to insn ${target}, which starts no function`, pc);
              if (this.frames.length >= MAX_CALL_FRAMES) throw new InterpFault(`call stack of ${this.frames.length + 1} frames`, pc);
              const incoming = this.frame.outgoing;
              this.frame.outgoing = new Array<Loaded | undefined>(STACK_ARG_SLOTS).fill(undefined);
              this.frame = this.enterFrame(pc + 1, incoming);
              this.pc = target;
              continue;
            }
            if (src === BPF_HELPER_CALL) {
              const helper = this.helpers.get(insn.imm);
              if (!helper) throw new InterpUnsupported(`helper ${HELPER_NAMES[insn.imm] ?? 'unknown'}#${insn.imm}`, pc);
              const args: Loaded[] = [];
              for (let r = 1; r <= 5; r++) args.push({ value: regs[r], prov: prov[r] });
              const m = this;
              const ret = helper.run({
                args,
                markUnpredictable(why) {
                  m.markUnpredictable(why);
                },
                memory: this.helperMemory,
                maps: this.maps,
                testRun: this.env,
              });
              regs[0] = asU64(ret.value);
              prov[0] = ret.prov;
              this.clobberCallerSaved(CLOBBERED);
              this.frame.outgoing.fill(undefined);
              break;
            }
            throw new InterpUnsupported(src === 2 ? 'kfunc calls' : `call with src_reg ${src}`, pc);
          }
          if (is64 && op === BPF_EXIT) {
            const finished = this.leaveFunction();
            if (finished) return finished;
            continue;
          }
          if (is64 && op === BPF_JCOND) {
            if (src !== 0) throw new InterpFault(`unknown JCOND variant ${src}`, pc);
            if (this.frame.mayGotoLeft === 0) {
              this.markUnpredictable('may_goto budget exhausted (x86 stops may_goto loops by time)');
              this.pc += 1 + insn.off;
              continue;
            }
            this.frame.mayGotoLeft--;
            break;
          }
          const byReg = (code & BPF_X) !== 0;
          const dv = operand32or64(regs[dst], is64);
          const sv = byReg ? operand32or64(regs[src], is64) : is64 ? asU64(BigInt(insn.imm)) : BigInt(insn.imm >>> 0);
          this.checkBranch(is64, prov[dst], byReg ? prov[src] : undefined, regs[dst], byReg ? regs[src] : sv);
          let taken: boolean;
          switch (op) {
            case BPF_JEQ: taken = dv === sv; break;
            case BPF_JNE: taken = dv !== sv; break;
            case BPF_JGT: taken = dv > sv; break;
            case BPF_JGE: taken = dv >= sv; break;
            case BPF_JLT: taken = dv < sv; break;
            case BPF_JLE: taken = dv <= sv; break;
            case BPF_JSET: taken = (dv & sv) !== 0n; break;
            case BPF_JSGT: taken = signed(dv, is64) > signed(sv, is64); break;
            case BPF_JSGE: taken = signed(dv, is64) >= signed(sv, is64); break;
            case BPF_JSLT: taken = signed(dv, is64) < signed(sv, is64); break;
            case BPF_JSLE: taken = signed(dv, is64) <= signed(sv, is64); break;
            default: throw new InterpFault(`invalid jump opcode 0x${code.toString(16)}`, pc);
          }
          if (taken) {
            this.pc += 1 + insn.off;
            continue;
          }
          break;
        }

        case BPF_LD: {
          const mode = opMode(code);
          if (code === OPCODE_LD_IMM64) {
            const next = insns[pc + 1];
            if (!next) throw new InterpFault('LD_IMM64 without its second half', pc);
            if (src === BPF_PSEUDO_MAP_FD || src === BPF_PSEUDO_MAP_VALUE) {
              if (insn.imm < 0 || insn.imm >= this.program.maps.length) throw new InterpFault(`LD_IMM64 of map ${insn.imm}, which the program does not declare`, pc);
              const ptr = src === BPF_PSEUDO_MAP_FD ? this.maps.mapPointer(insn.imm) : this.maps.valuePointer(insn.imm, next.imm >>> 0);
              regs[dst] = ptr.value;
              prov[dst] = ptr.prov;
              this.pc += 2;
              continue;
            }
            if (src !== 0) throw new InterpUnsupported(LD_IMM64_PSEUDO[src] ?? `LD_IMM64 with src_reg ${src}`, pc);
            regs[dst] = (BigInt(next.imm >>> 0) << 32n) | BigInt(insn.imm >>> 0);
            prov[dst] = undefined;
            this.pc += 2;
            continue;
          }
          if (mode === BPF_ABS || mode === BPF_IND) {
            const result = legacyPacketLoad(this.env, insn, regs[src], mode === BPF_IND, pc);
            if (mode === BPF_IND && prov[src]) this.markUnpredictable('LD_IND offset is not a plain number');
            this.clobberCallerSaved(CLOBBERED);
            regs[0] = result ?? 0n;
            prov[0] = undefined;
            if (result === undefined) {
              // gen_ld_abs: a load the helper refuses returns 0 from the current function
              const finished = this.leaveFunction();
              if (finished) return finished;
              continue;
            }
            break;
          }
          throw new InterpFault(`invalid LD opcode 0x${code.toString(16)}`, pc);
        }

        case BPF_LDX: {
          const mode = opMode(code);
          const size = sizeBytes(code);
          if (src === r11) {
            if (mode !== BPF_MEM || size !== 8 || insn.off <= 0 || insn.off % 8 !== 0) throw new InterpFault('r11 load that is not a stack-argument load', pc);
            const slot = this.frame.incoming[insn.off / 8 - 1];
            regs[dst] = slot?.value ?? 0n;
            prov[dst] = slot ? slot.prov : { kind: 'taint', why: `read of stack argument r11+${insn.off} that the caller did not pass` };
            break;
          }
          if (mode === BPF_MEM || mode === BPF_MEMSX) {
            const got = this.load(pc, src, insn.off, size);
            if (mode === BPF_MEMSX) {
              if (size === 8) throw new InterpFault('MEMSX of 8 bytes', pc);
              regs[dst] = asU64(BigInt.asIntN(size * 8, got.value));
              prov[dst] = got.prov?.kind === 'addr' ? { kind: 'taint', why: 'sign-extended part of an address' } : got.prov;
            } else {
              regs[dst] = got.value;
              prov[dst] = got.prov;
            }
            break;
          }
          throw new InterpFault(`invalid LDX opcode 0x${code.toString(16)}`, pc);
        }

        case BPF_ST:
        case BPF_STX: {
          const mode = opMode(code);
          const size = sizeBytes(code);
          const isReg = cls === BPF_STX;
          if (dst === r11) {
            if (mode !== BPF_MEM || size !== 8 || insn.off >= 0 || insn.off % 8 !== 0) throw new InterpFault('r11 store that is not a stack-argument store', pc);
            const k = -insn.off / 8;
            if (k > STACK_ARG_SLOTS) throw new InterpFault(`stack argument slot r11${insn.off} beyond the ${STACK_ARG_SLOTS} slots`, pc);
            this.frame.outgoing[k - 1] = isReg ? { value: regs[src], prov: prov[src] } : { value: asU64(BigInt(insn.imm)) };
            break;
          }
          if (mode === BPF_MEM) {
            if (isReg) this.store(pc, dst, insn.off, size, regs[src], prov[src]);
            else this.store(pc, dst, insn.off, size, asU64(BigInt(insn.imm)), undefined);
            break;
          }
          if (isReg && mode === BPF_ATOMIC) {
            this.atomic(pc, insn, size);
            break;
          }
          throw new InterpFault(`invalid store opcode 0x${code.toString(16)}`, pc);
        }

        default:
          throw new InterpFault(`invalid opcode 0x${code.toString(16)}`, pc);
      }
      this.pc++;
    }
  }

  // --- pieces of the loop that would make it unreadable inline ---

  /** BPF_EXIT: the result when the main program returns, else back to the caller */
  private leaveFunction(): ExecuteResult | undefined {
    const { frames, regs, prov } = this;
    if (frames.length === 1) {
      const r0 = regs[0];
      const p = prov[0];
      if (p?.kind === 'taint') this.markUnpredictable(`r0 is not reproducible (${p.why})`);
      if (p?.kind === 'addr') this.markUnpredictable(`r0 holds an address in ${p.region.name}`);
      return { retval: Number(r0 & U32_MASK), r0, unpredictable: this.unpredictable, steps: this.steps };
    }
    const done = frames.pop() as Frame;
    this.frame = frames[frames.length - 1];
    for (let i = 0; i < 4; i++) {
      regs[6 + i] = done.savedRegs[i];
      prov[6 + i] = done.savedProv[i];
    }
    regs[10] = frameTop(this.frame.stack);
    prov[10] = { kind: 'addr', region: this.frame.stack };
    this.clobberCallerSaved(CLOBBERED);
    this.pc = done.returnPc;
    return undefined;
  }

  private atomic(at: number, insn: RawInsn, size: number): void {
    const { regs, prov } = this;
    const { dst, src, off } = insn;
    const op = insn.imm;
    if (op === BPF_LOAD_ACQ) {
      const got = this.load(at, src, off, size);
      regs[dst] = got.value;
      prov[dst] = got.prov;
      return;
    }
    if (op === BPF_STORE_REL) {
      this.store(at, dst, off, size, regs[src], prov[src]);
      return;
    }
    if (size !== 4 && size !== 8) throw new InterpFault(`atomic read-modify-write of ${size} bytes`, at);
    const old = this.load(at, dst, off, size);
    const width = BigInt(size * 8);
    const operand = BigInt.asUintN(Number(width), regs[src]);
    const taint = old.prov ?? prov[src];
    const mixed: Provenance | undefined = taint ? (taint.kind === 'taint' ? taint : { kind: 'taint', why: 'atomic operation on an address' }) : undefined;
    switch (op & ~BPF_FETCH) {
      case BPF_ADD:
      case BPF_OR:
      case BPF_AND:
      case BPF_XOR: {
        const base = op & ~BPF_FETCH;
        const v = base === BPF_ADD ? old.value + operand : base === BPF_OR ? old.value | operand : base === BPF_AND ? old.value & operand : old.value ^ operand;
        this.store(at, dst, off, size, v, mixed);
        if (op & BPF_FETCH) {
          regs[src] = old.value;
          prov[src] = old.prov;
        }
        return;
      }
    }
    if (op === BPF_XCHG) {
      this.store(at, dst, off, size, operand, prov[src]);
      regs[src] = old.value;
      prov[src] = old.prov;
      return;
    }
    if (op === BPF_CMPXCHG) {
      const expected = BigInt.asUintN(Number(width), regs[0]);
      if (prov[0] || old.prov) this.markUnpredictable('cmpxchg compares a value that is not a plain number');
      if (old.value === expected) this.store(at, dst, off, size, operand, prov[src]);
      regs[0] = old.value;
      prov[0] = old.prov;
      return;
    }
    throw new InterpFault(`invalid atomic operation 0x${op.toString(16)}`, at);
  }
}

const signed = (v: bigint, is64: boolean): bigint => (is64 ? asS64(v) : asS32(v));

/** provenance of an ALU result (see Provenance): addresses survive only ptr +/- scalar */
function aluProv(op: number, is64: boolean, dp: Provenance | undefined, sp: Provenance | undefined): Provenance | undefined {
  if (op === BPF_MOV) {
    if (sp?.kind === 'addr' && !is64) return { kind: 'taint', why: 'low 32 bits of an address' };
    return sp;
  }
  if (dp?.kind === 'taint') return dp;
  if (sp?.kind === 'taint') return sp;
  if (!dp && !sp) return undefined;
  if (is64 && op === BPF_ADD && (!dp || !sp)) return dp ?? sp;
  if (is64 && op === BPF_SUB && dp && !sp) return dp;
  if (is64 && op === BPF_SUB && dp?.kind === 'addr' && sp?.kind === 'addr') {
    // the distance between two addresses in one region is fixed by the program
    return dp.region === sp.region ? undefined : { kind: 'taint', why: 'distance between addresses in different regions' };
  }
  return { kind: 'taint', why: 'arithmetic on an address' };
}
