// The model's rule registry stays honest: every rule has a call site (or, for a reject rule, a
// reason line some check prints), every id a call site names is registered, every reject reason
// line the model prints belongs to a rule, and verify(..., { coverage }) reports what a program
// exercised.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CHECK_RULES } from './cover/rules.ts';
import { REASON_RULES } from './coverage-reasons.ts';
import { MODEL_RULES, MODEL_RULE_IDS, reasonRule, withCoverage, cover } from './coverage.ts';
import { HELPER_PROTOS } from './helpers.ts';
import { asm } from './test-programs.ts';
import { resolveProfile, verify } from './index.ts';
import { parseProgramsJsonl } from '../program/json.ts';
import { generatePrograms } from '../gen/index.ts';

const modelDir = fileURLToPath(new URL('./', import.meta.url));
/** the model's sources that make checks: the walk's files and the rewrite passes (fixups/) */
const SOURCES = ['', 'fixups/'].flatMap((sub) =>
  readdirSync(`${modelDir}${sub}`)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.startsWith('coverage'))
    .map((f) => ({ file: `${sub}${f}`, text: readFileSync(`${modelDir}${sub}${f}`, 'utf8') })));
const profile = resolveProfile('7.2')!;

/** the quoted ids the model's sources name (in cover(...) calls and the rule tables beside them) */
function namedIds(): Map<string, string> {
  const out = new Map<string, string>();
  for (const { file, text } of SOURCES) for (const m of text.matchAll(/'([a-z_0-9]+:[a-z0-9_-]+)'/g)) out.set(m[1]!, file);
  return out;
}

/** the end of a template literal starting at `i` (a backtick), nested `${ }` and templates included */
function templateEnd(text: string, i: number): number {
  let j = i + 1;
  while (j < text.length && text[j] !== '`') {
    if (text[j] === '\\') j += 2;
    else if (text[j] === '$' && text[j + 1] === '{') {
      let depth = 1;
      j += 2;
      while (depth > 0 && j < text.length) {
        if (text[j] === '`') j = templateEnd(text, j);
        else if (text[j] === '{') depth++;
        else if (text[j] === '}') depth--;
        j++;
      }
    } else j++;
  }
  return j;
}

/** the literal parts of a template, its `${ }` holes dropped */
function templateParts(tpl: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let j = 1; j < tpl.length - 1; j++) {
    if (tpl[j] === '$' && tpl[j + 1] === '{') {
      parts.push(cur);
      cur = '';
      const end = holeEnd(tpl, j);
      j = end;
    } else cur += tpl[j];
  }
  parts.push(cur);
  return parts;
}
function holeEnd(tpl: string, j: number): number {
  let depth = 1;
  let k = j + 2;
  while (depth > 0 && k < tpl.length) {
    if (tpl[k] === '`') k = templateEnd(tpl, k);
    else if (tpl[k] === '{') depth++;
    else if (tpl[k] === '}') depth--;
    k++;
  }
  return k - 1;
}

/** sample lines a template may print: each hole filled with one of a few values (a number, a register, a direction) */
const FILLERS = ['1', 'R1', ' read from', ' write to', 'read from', 'fp'];
function samples(tpl: string): string[] {
  const parts = templateParts(tpl);
  let lines = [parts[0]!];
  for (let k = 1; k < parts.length; k++) {
    const next: string[] = [];
    for (const l of lines) for (const f of FILLERS) next.push(l + f + parts[k]);
    lines = next.slice(0, 4000);
  }
  return lines;
}

/** messages.ts entries some check uses (msg.name) */
const usedMessages = (): Set<string> => {
  const used = new Set<string>();
  for (const { text } of SOURCES) for (const m of text.matchAll(/msg\.(\w+)\(/g)) used.add(m[1]!);
  return used;
};

/**
 * The reason lines the model prints, as templates: the texts at reject(...) sites (and precheck's
 * r(...) for reserved fields), the messages.ts entries in use, and the alignment lines atomic.ts builds.
 */
function reasonTemplates(): Array<{ file: string; tpl: string }> {
  const out: Array<{ file: string; tpl: string }> = [];
  const used = usedMessages();
  for (const { file, text } of SOURCES) {
    const sites = file === 'messages.ts'
      ? [...text.matchAll(/^ {2}(\w+): \([^)]*\) => /gm)].filter((m) => used.has(m[1]!))
      : [...text.matchAll(/(reject\([^,()]+(\([^)]*\))?, |\br\(|return (?=`misaligned))/g)];
    for (const m of sites) {
      const i = m.index! + m[0].length;
      const c = text[i];
      if (c === '`') out.push({ file, tpl: text.slice(i, templateEnd(text, i) + 1) });
      else if (c === "'" || c === '"') out.push({ file, tpl: '`' + text.slice(i + 1, text.indexOf(c, i + 1)) + '`' });
    }
  }
  // the per-kernel texts of profile.ts ({name} placeholders)
  for (const m of readFileSync(`${modelDir}profile.ts`, 'utf8').matchAll(/(referenceLeakAtExit|releaseUnreferenced|ldAbsReferenceLeak): '([^']*)'/g))
    out.push({ file: 'profile.ts', tpl: '`' + m[2]!.replace(/\{\w+\}/g, '${x}') + '`' });
  return out;
}

describe('MODEL_RULES', () => {
  it('has unique ids, each `<kernel function>:<case>` with a kernel function and a description', () => {
    expect(MODEL_RULE_IDS.size).toBe(MODEL_RULES.length);
    for (const r of MODEL_RULES) {
      expect(r.id).toMatch(/^[a-z_0-9]+:[a-z0-9_-]+$/);
      expect(r.kernelFn).toBe(r.id.slice(0, r.id.indexOf(':')));
      expect(r.what.length).toBeGreaterThan(3);
    }
    expect(MODEL_RULES.length).toBe(CHECK_RULES.length + HELPER_PROTOS.length + REASON_RULES.length);
  });

  it('every id a model source names is a rule (a typo or a removed rule fails here)', () => {
    const unknownIds = [...namedIds()].filter(([id]) => !MODEL_RULE_IDS.has(id)).map(([id, file]) => `${file}: ${id}`);
    expect(unknownIds).toEqual([]);
  });

  it('lists no check rule that no code path references', () => {
    const named = namedIds();
    const unreferenced = CHECK_RULES.map(([id]) => id).filter((id) => !named.has(id));
    expect(unreferenced).toEqual([]);
    // the helper rules are recorded by coverHelper at the end of check_helper_call's argument checks
    expect(SOURCES.find((s) => s.file === 'helper-call.ts')!.text).toMatch(/coverHelper\(funcId\)/);
  });

  it('every reason line a check prints belongs to a rule', () => {
    const orphans = reasonTemplates()
      .filter(({ tpl }) => !samples(tpl).some((l) => reasonRule(l) !== undefined))
      .map(({ file, tpl }) => `${file}: ${tpl}`);
    expect(orphans).toEqual([]);
  });

  it('lists no reject rule whose reason line no check prints', () => {
    const lines = reasonTemplates().flatMap(({ tpl }) => samples(tpl));
    const unreferenced = REASON_RULES.filter(([re]) => !lines.some((l) => re.test(l))).map(([, id]) => id);
    expect(unreferenced).toEqual([]);
  });

  it('cover() outside a verification records nothing, and nested sets get their own rules', () => {
    const outer = new Set<string>(), inner = new Set<string>();
    cover('do_check:ja');
    withCoverage(outer, () => {
      cover('do_check:ja');
      withCoverage(inner, () => cover('do_check:gotol'));
      cover('do_check:st-mem');
    });
    expect([...outer].sort()).toEqual(['do_check:ja', 'do_check:st-mem']);
    expect([...inner]).toEqual(['do_check:gotol']);
  });
});

describe('verify(..., { coverage })', () => {
  it('records the checks a program exercised, and its reject reason rule', () => {
    const hit = new Set<string>();
    const o = verify(asm(`
      r1 = 5
      *(u64 *)(r10 - 8) = r1
      r2 = *(u64 *)(r10 - 8)
      if w2 s> 3 goto +1
      r0 = 0
      r0 = *(u64 *)(r10 - 600)
      exit`), profile, { coverage: hit });
    expect(o.verdict).toBe('reject');
    expect(hit).toContain('check_alu_op:mov-imm');
    expect(hit).toContain('check_stack_write_fixed_off:spill-scalar');
    expect(hit).toContain('check_stack_read_fixed_off:fill');
    expect(hit).toContain('check_cond_jmp_op:jsgt32');
    expect(hit).toContain('is_branch_taken:always');
    expect(hit).toContain('check_stack_access_within_bounds:reject-oob');
    expect(hit).not.toContain('check_cond_jmp_op:fork');
    for (const id of hit) expect(MODEL_RULE_IDS.has(id)).toBe(true);
  });

  it('gives the same outcome with and without a coverage set', () => {
    for (const prog of generatePrograms(7, 40)) {
      const plain = verify(prog, profile, { run: false, jit: false });
      const covered = verify(prog, profile, { run: false, jit: false, coverage: new Set() });
      expect(covered).toEqual(plain);
    }
  });

  it('on the kernel selftests corpus under 6.12, 7.2 and 7.3: every rule hit is registered and every reason line has its rule', () => {
    const programs = parseProgramsJsonl(readFileSync(fileURLToPath(new URL('../../corpus/kernel-selftests/selftests.jsonl', import.meta.url)), 'utf8'));
    for (const kernel of ['6.12', '7.2', '7.3']) {
      const hit = new Set<string>();
      const orphanReasons = new Set<string>();
      for (const prog of programs) {
        const o = verify(prog, resolveProfile(kernel)!, { coverage: hit, run: false, xlated: false, jit: false });
        if (o.verdict === 'reject' && reasonRule(o.message) === undefined) orphanReasons.add(o.message);
      }
      expect([...orphanReasons]).toEqual([]);
      expect([...hit].filter((id) => !MODEL_RULE_IDS.has(id))).toEqual([]);
      // independent programs reach well over half of the model's rules
      expect(hit.size).toBeGreaterThan(MODEL_RULES.length / 2);
    }
  });

  it('on generated programs with every feature on: reason lines all have their rule, and the features reach rules the stack-argument programs do not', () => {
    const features = { mapRate: 0.1, mapArgRate: 0.2, helperRate: 0.1, socketRate: 0.05, mutationRate: 0.5 };
    const rich = new Set<string>(), plain = new Set<string>();
    const orphanReasons = new Set<string>();
    for (const prog of generatePrograms(2, 60, features)) {
      const o = verify(prog, profile, { coverage: rich, run: false, xlated: false, jit: false });
      if (o.verdict === 'reject' && reasonRule(o.message) === undefined) orphanReasons.add(o.message);
    }
    for (const prog of generatePrograms(2, 60, { preset: 'gen2', mutationRate: 0.5 })) verify(prog, profile, { coverage: plain, run: false, xlated: false, jit: false });
    expect([...orphanReasons]).toEqual([]);
    for (const id of ['check_helper_call:bpf_map_lookup_elem', 'mark_ptr_or_null_regs:null-check', 'check_mem_access:pkt-read', 'mark_ptr_or_null_regs:map-value']) {
      expect(rich).toContain(id);
      expect(plain).not.toContain(id);
    }
  }, 180_000);
});
