// Programs with global (and static) functions taking pointer arguments, each with what Linux 7.2.13
// does with it (verdict, errno, reason line, retval), as measured on Debian's kernel. The model's
// unit test (global-args.test.ts) and the real-kernel test (test/global-ptr-args.test.ts) share them.

interface GlobalArgCase {
  name: string;
  source: string;
  expect: { verdict: 'accept' | 'reject'; errno: number; message: string; retval?: number };
  /** 7.3's reason line where it differs: some argument checks print a structured report before "Caller passes ..." */
  on73?: string;
}

const CALLER = 'Caller passes invalid args into func#1';
const lookupIn = (type: 'array' | 'hash') => `.map ${type} 4 8 1\n.func main args=1\nr1 = 0\n*(u32 *)(r10 -4) = r1\nr1 = map[id:0] ll\nr2 = r10\nr2 += -4\ncall bpf_map_lookup_elem\n`;
/** an array lookup with a constant key in range is never NULL (the verifier knows); a hash lookup may be */
const lookup = lookupIn('array');
const lookupHash = lookupIn('hash');
/** g(ctx, mem:16): returns the second u64 of its memory, or 1 when it got NULL */
const gCtxMem16 = '.func g args=2 global types=ctx,mem:16\nr0 = 1\nif r2 == 0x0 goto pc+1\nr0 = *(u64 *)(r2 +8)\nexit\n';
/** g(mem:8): returns its u64, or 1 for NULL */
const gMem8 = '.func g args=1 global types=mem:8\nr0 = 1\nif r1 == 0x0 goto pc+1\nr0 = *(u64 *)(r1 +0)\nexit\n';
const stack16 = 'r3 = 5\n*(u64 *)(r10 -16) = r3\nr3 = 9\n*(u64 *)(r10 -8) = r3\nr2 = r10\nr2 += -16\n';

export const GLOBAL_ARG_CASES: GlobalArgCase[] = [
  {
    name: 'ctx and 16 bytes of stack, null-checked and read in bounds',
    source: `.func main args=1\n${stack16}call g\nexit\n${gCtxMem16}`,
    expect: { verdict: 'accept', errno: 0, message: '', retval: 9 },
  },
  {
    name: 'NULL for a memory argument that may be NULL',
    source: `.func main args=1\nr2 = 0\ncall g\nexit\n${gCtxMem16}`,
    expect: { verdict: 'accept', errno: 0, message: '', retval: 1 },
  },
  {
    name: 'callee reads its memory argument without a NULL check',
    source: `.func main args=1\n${stack16}call g\nexit\n.func g args=2 global types=ctx,mem:16\nr0 = *(u64 *)(r2 +0)\nexit\n`,
    expect: { verdict: 'reject', errno: 13, message: "R2 invalid mem access 'mem_or_null'" },
  },
  {
    name: 'callee reads past the declared size',
    source: `.func main args=1\n${stack16}call g\nexit\n.func g args=2 global types=ctx,mem:16\nr0 = 0\nif r2 == 0x0 goto pc+1\nr0 = *(u64 *)(r2 +16)\nexit\n`,
    expect: { verdict: 'reject', errno: 13, message: 'R2 min value is outside of the allowed memory range' },
  },
  {
    name: 'callee writes past the declared size',
    source: `.func main args=1\n${stack16}call g\nexit\n.func g args=2 global types=ctx,mem:16\nif r2 == 0x0 goto pc+1\n*(u32 *)(r2 +14) = 1\nr0 = 0\nexit\n`,
    expect: { verdict: 'reject', errno: 13, message: 'R2 min value is outside of the allowed memory range' },
  },
  {
    name: 'caller passes 8 bytes of stack for 16',
    source: `.func main args=1\nr2 = r10\nr2 += -8\ncall g\nexit\n${gCtxMem16}`,
    expect: { verdict: 'reject', errno: 22, message: `${CALLER} ('g')` },
  },
  {
    name: 'caller passes a scalar for the ctx argument',
    source: `.func main args=1\nr1 = 0\nr2 = 0\ncall g\nexit\n${gCtxMem16}`,
    expect: { verdict: 'reject', errno: 22, message: `${CALLER} ('g')` },
  },
  {
    name: 'caller passes a modified ctx',
    source: `.func main args=1\nr1 += 8\nr2 = 0\ncall g\nexit\n${gCtxMem16}`,
    expect: { verdict: 'reject', errno: 13, message: `${CALLER} ('g')` },
    on73: 'dereference of modified ctx ptr R1 off=8 disallowed',
  },
  {
    name: 'caller passes a non-NULL scalar for memory',
    source: `.func main args=1\nr2 = 64\ncall g\nexit\n${gCtxMem16}`,
    expect: { verdict: 'reject', errno: 22, message: `${CALLER} ('g')` },
  },
  {
    name: 'caller passes the ctx for memory',
    source: `.func main args=1\nr2 = r1\ncall g\nexit\n${gCtxMem16}`,
    expect: { verdict: 'reject', errno: 22, message: `${CALLER} ('g')` },
  },
  {
    name: 'NULL for an arg:nonnull memory argument',
    source: '.func main args=1\nr1 = 0\ncall g\nexit\n.func g args=1 global types=mem:8:nonnull\nr0 = *(u64 *)(r1 +0)\nexit\n',
    expect: { verdict: 'reject', errno: 22, message: `${CALLER} ('g')` },
  },
  {
    name: 'arg:nonnull memory written by the callee and read back by the caller',
    source: '.func main args=1\nr1 = r10\nr1 += -8\ncall g\nr0 = *(u64 *)(r10 -8)\nexit\n.func g args=1 global types=mem:8:nonnull\n*(u64 *)(r1 +0) = 7\nr0 = 0\nexit\n',
    expect: { verdict: 'accept', errno: 0, message: '', retval: 7 },
  },
  {
    name: 'a null-checked map value for memory of its size',
    source: `${lookup}if r0 == 0x0 goto pc+4\nr1 = 3\n*(u64 *)(r0 +0) = r1\nr1 = r0\ncall g\nexit\n${gMem8}`,
    expect: { verdict: 'accept', errno: 0, message: '', retval: 3 },
  },
  {
    name: 'an unchecked map lookup result for memory that may be NULL',
    source: `${lookupHash}r1 = r0\ncall g\nexit\n${gMem8}`,
    expect: { verdict: 'accept', errno: 0, message: '', retval: 1 },
  },
  {
    name: 'an unchecked map lookup result for arg:nonnull memory',
    source: `${lookupHash}r1 = r0\ncall g\nexit\n.func g args=1 global types=mem:8:nonnull\nr0 = *(u64 *)(r1 +0)\nexit\n`,
    expect: { verdict: 'reject', errno: 22, message: `${CALLER} ('g')` },
  },
  {
    name: 'a map value smaller than the memory argument',
    source: `${lookup}if r0 == 0x0 goto pc+2\nr1 = r0\ncall g\nexit\n.func g args=1 global types=mem:16\nr0 = 0\nexit\n`,
    expect: { verdict: 'reject', errno: 22, message: `${CALLER} ('g')` },
    on73: 'R1 min value is outside of the allowed memory range',
  },
  {
    name: 'a global function passes its memory on to another',
    source: `.func main args=1\nr1 = r10\nr1 += -16\ncall g\nexit\n.func g args=1 global types=mem:16\nr0 = 0\nif r1 == 0x0 goto pc+2\nr1 += 8\ncall h\nexit\n.func h args=1 global types=mem:8\nr0 = 2\nexit\n`,
    expect: { verdict: 'accept', errno: 0, message: '', retval: 2 },
  },
  {
    name: 'a global function passes too little of its memory on',
    source: `.func main args=1\nr1 = r10\nr1 += -16\ncall g\nexit\n.func g args=1 global types=mem:16\nr0 = 0\nif r1 == 0x0 goto pc+2\nr1 += 8\ncall h\nexit\n.func h args=1 global types=mem:16\nr0 = 2\nexit\n`,
    expect: { verdict: 'reject', errno: 22, message: "Caller passes invalid args into func#2 ('h')" },
    on73: 'R1 min value is outside of the allowed memory range',
  },
  {
    name: 'a global function returns its memory pointer',
    source: `.func main args=1\nr1 = r10\nr1 += -8\ncall g\nr0 = 0\nexit\n.func g args=1 global types=mem:8:nonnull\nr0 = r1\nexit\n`,
    expect: { verdict: 'reject', errno: 22, message: 'At subprogram exit the register R0 is not a scalar value (mem)' },
  },
  {
    name: 'a static function declared with a memory argument (BTF unreliable, verified with the caller state)',
    source: `.func main args=1\nr2 = 4\n*(u64 *)(r10 -8) = r2\nr1 = r10\nr1 += -8\ncall f\nexit\n.func f args=1 types=mem:8\nr0 = *(u64 *)(r1 +0)\nexit\n`,
    expect: { verdict: 'accept', errno: 0, message: '', retval: 4 },
  },
  {
    name: 'a static function declared with a ctx argument, given a scalar',
    source: `.func main args=1\nr1 = 6\ncall f\nexit\n.func f args=1 types=ctx\nr0 = r1\nexit\n`,
    expect: { verdict: 'accept', errno: 0, message: '', retval: 6 },
  },
  {
    name: 'xdp: 16 checked packet bytes for memory',
    source: `.type xdp\n.func main args=1\nr2 = *(u32 *)(r1 +0)\nr3 = *(u32 *)(r1 +4)\nr4 = r2\nr4 += 16\nr0 = 0\nif r4 > r3 goto pc+1\ncall g\nexit\n${gCtxMem16.replace('r0 = *(u64 *)(r2 +8)', 'r0 = *(u8 *)(r2 +8)')}`,
    expect: { verdict: 'accept', errno: 0, message: '', retval: 0 },
  },
];
