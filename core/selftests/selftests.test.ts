import { describe, expect, it } from 'vitest';
import { assemble, disassemble } from '../isa/index.ts';
import { parseVerifierLog } from '../program/index.ts';
import { convertTest, expressionsOf } from './convert.ts';
import { readSelftestFile } from './extract.ts';
import { checkAnnotation, missingMsg } from './score.ts';
import type { Program } from '../program/index.ts';

// A file in the kernel's own style (tools/testing/selftests/bpf/progs/verifier_*.c)
const FILE = String.raw`
#include <linux/bpf.h>
#include "bpf_misc.h"
#define MAX_ENTRIES 11
struct test_val {
	unsigned int index;
	int foo[MAX_ENTRIES];
};
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, long long);
	__type(value, struct test_val);
} map_hash_48b SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} ringbuf SEC(".maps");
#define LOAD(DST) "r2 = *(u32*)(r1 + 0);" DST " = r2;"

SEC("socket")
__description("invalid and of negative number")
__failure __msg("R0 max value is outside of the allowed memory range")
__failure_unpriv
__flag(BPF_F_ANY_ALIGNMENT)
__naked void invalid_and(void)
{
	asm volatile ("					\
	r1 = 0;						\
	*(u64*)(r10 - 8) = r1;				\
	r2 = r10;					\
	r2 += -8;					\
	r1 = %[map_hash_48b] ll;			\
	call %[bpf_map_lookup_elem];			\
	if r0 == 0 goto l0_%=;				\
	r1 = *(u8*)(r0 + 0);				\
	w1 %%= 3;					\
	r0 += r1;					\
l0_%=:	r1 = %[test_val_foo];				\
	*(u64*)(r0 + 0) = r1;				\
	exit;						\
"	:
	: __imm(bpf_map_lookup_elem),
	  __imm_addr(map_hash_48b),
	  __imm_const(test_val_foo, offsetof(struct test_val, foo))
	: __clobber_all);
}

static __naked __noinline __used void sub(int a, int b)
{
	asm volatile ("r0 = r1; r0 += r2; exit;" ::: __clobber_all);
}

SEC("tc")
__success __retval(0xffffffff)
__log_level(2)
__naked void locals_and_raw(void)
{
	asm volatile (
	LOAD("r3")
	"r0 = 0xffffffff;"
	"1: if r0 == 0 goto 1f;"
	"goto 2f;"
	"2: .8byte %[ja];"
	"1: r1 = 1; r2 = 2; call sub;"
	"r0 = -1;"
	"exit;"
	:
	: __imm_insn(ja, BPF_JMP_A(0))
	: __clobber_all);
}

SEC("socket")
__success __retval(POINTER_VALUE)
__naked void returns_pointer(void)
{
	asm volatile ("r0 = r10; exit;" ::: __clobber_all);
}

SEC("tracepoint")
__success
__naked void tp(void)
{
	asm volatile ("r0 = 0; exit;" ::: __clobber_all);
}

SEC("socket")
__success
__naked void uses_ringbuf(void)
{
	asm volatile ("r1 = %[ringbuf] ll; r0 = 0; exit;" :: __imm_addr(ringbuf) : __clobber_all);
}

SEC("socket")
__success
int c_code(void *ctx)
{
	return 0;
}

#if defined(__TARGET_ARCH_arm64)
SEC("socket")
__success
__naked void arm_only(void) { asm volatile ("r0 = 0; exit;" ::: __clobber_all); }
#endif
char _license[] SEC("license") = "GPL";
`;

// what gcc answers for the file's expressions (the importer compiles them against the tree's uapi headers)
const VALUES = new Map<string, bigint>([
  ['offsetof(struct test_val, foo)', 4n],
  ['sizeof(long long)', 8n],
  ['sizeof(struct test_val)', 48n],
  ['1', 1n],
  ['4096', 4096n],
  ['insn:BPF_JMP_A(0)', 0x05n],
]);

function convertAll() {
  const file = readSelftestFile(FILE);
  const results = new Map<string, ReturnType<typeof convertTest>>();
  for (const f of file.functions) results.set(f.name, convertTest(file, 'verifier_demo.c', f, VALUES));
  return { file, results };
}
const listing = (p: { insns: Program['insns'] }): string[] => disassemble(p.insns).map((l) => l.text.replace(/^\([0-9a-f]{2}\) /, ''));
const programOf = (r: ReturnType<typeof convertTest>): Program => {
  if (!r || !('program' in r)) throw new Error(`not imported: ${JSON.stringify(r)}`);
  return r.program;
};

describe('kernel selftest import', () => {
  it('reads annotations, maps and the expressions gcc must evaluate', () => {
    const { file } = convertAll();
    expect(file.functions.map((f) => f.name)).toEqual(['invalid_and', 'sub', 'locals_and_raw', 'returns_pointer', 'tp', 'uses_ringbuf', 'c_code']);
    const f = file.functions[0];
    expect(f.ann).toMatchObject({ sec: 'socket', expect: 'failure', expectUnpriv: 'failure', msgs: ['R0 max value is outside of the allowed memory range'], flags: ['BPF_F_ANY_ALIGNMENT'] });
    expect(file.maps.map((m) => m.name)).toEqual(['map_hash_48b', 'ringbuf']);
    expect(expressionsOf(file)).toEqual(expect.arrayContaining(['offsetof(struct test_val, foo)', 'sizeof(struct test_val)', 'sizeof(long long)', 'insn:BPF_JMP_A(0)']));
  });

  it('fills operands: helpers by name, maps as map[id:N], constants, %% and %=', () => {
    const p = programOf(convertAll().results.get('invalid_and'));
    expect(p.progType).toBe('socket_filter');
    expect(p.maps).toEqual([{ type: 'hash', keySize: 8, valueSize: 48, maxEntries: 1 }]);
    const text = listing(p).join('\n');
    expect(text).toContain('r1 = map[id:0]');
    expect(text).toContain('call bpf_map_lookup_elem#1');
    expect(text).toContain('w1 %= 3');
    expect(text).toContain('r1 = 4');
    expect(p.meta).toMatchObject({ name: 'invalid_and', source: 'verifier_demo.c', description: 'invalid and of negative number', expected: { verdict: 'reject', msgs: ['R0 max value is outside of the allowed memory range'] } });
  });

  it('expands string macros, numeric local labels, raw .8byte records, LLVM movs, and appends called functions', () => {
    const p = programOf(convertAll().results.get('locals_and_raw'));
    expect(p.progType).toBe('sched_cls');
    expect(p.funcs).toEqual([
      { name: 'main', start: 0, args: 1, linkage: 'static' },
      { name: 'sub', start: 11, args: 2, linkage: 'static' },
    ]);
    const text = listing(p);
    expect(text.slice(0, 11)).toEqual([
      'r2 = *(u32 *)(r1 +0)',
      'r3 = r2',
      'r0 = -1', // LLVM: `r0 = 0xffffffff` is a mov of the sign-extended immediate
      'if r0 == 0x0 goto pc+2', // `1f`: the next `1:`
      'goto pc+0',
      'goto pc+0', // .8byte BPF_JMP_A(0)
      'r1 = 1',
      'r2 = 2',
      'call pc+2',
      'r0 = -1',
      'exit',
    ]);
    expect(p.meta).toMatchObject({ expected: { verdict: 'accept', msgs: [], retval: 0xffffffff }, logLevel: 2 });
  });

  it('does not compare a POINTER_VALUE retval, as test_loader', () => {
    const p = programOf(convertAll().results.get('returns_pointer'));
    expect((p.meta!.expected as { retval?: number }).retval).toBeUndefined();
  });

  it('leaves out what cannot run here, with the reason', () => {
    const { results } = convertAll();
    expect(results.get('sub')).toBeUndefined(); // not a test: no SEC
    expect(results.get('tp')).toMatchObject({ leftOut: { reason: 'prog-type:tracepoint' } });
    expect(results.get('uses_ringbuf')).toMatchObject({ leftOut: { reason: 'map-type:ringbuf' } });
    expect(results.get('c_code')).toMatchObject({ leftOut: { reason: 'c-code' } });
    expect([...results.keys()]).not.toContain('arm_only'); // #if false
  });
});

describe('assembler: what the selftests need', () => {
  it('takes raw records (.8byte) and 64-bit spellings of sign-extended immediates', () => {
    const a = assemble('.8byte 0x0000002a00000007\nr5 &= 0xfffffffffffffffc\nlock *(u32 *)(r10 -8) += w1\nexit');
    expect(a.insns[0]).toEqual({ code: 0x07, dst: 0, src: 0, off: 0, imm: 42 });
    expect(listing(a)).toEqual(['r0 += 42', 'r5 &= -4', 'lock *(u32 *)(r10 -8) += r1', 'exit']);
  });
});

describe('scoring against the annotation', () => {
  it('matches __msg in order, {{regex}} parts as test_loader does', () => {
    const log = '0: R1=ctx() R10=fp0\n1: (b7) r0 = 5 ; R0=5\nR0 max value is outside of the allowed memory range\n';
    expect(missingMsg(['R1=ctx()', '{{R0=[0-9]+}}', 'max value'], log)).toBeUndefined();
    expect(missingMsg(['max value', 'R1=ctx()'], log)).toBe('R1=ctx()');
    const expected = { verdict: 'reject' as const, msgs: ['max value is outside'] };
    expect(checkAnnotation(expected, { verdict: 'reject', errno: 13, message: 'x', kernel: 'k', log }).matches).toBe(true);
    expect(checkAnnotation(expected, { verdict: 'accept', errno: 0, message: '', kernel: 'k', retval: 0 })).toMatchObject({ matches: false });
  });

  it('the reason line skips the states printed after "infinite loop detected"', () => {
    const log = 'infinite loop detected at insn 2\ncur state: R0=1 R10=fp0\nold state: R0=1 R10=fp0\nprocessed 5 insns (limit 1000000)\n';
    expect(parseVerifierLog(log).message).toBe('infinite loop detected at insn 2');
  });
});
