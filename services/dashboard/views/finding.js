// One finding: what differs (model and each kernel side by side), the reduced reproducer and
// the original as disassembly with the instruction the verifier stopped at highlighted, their
// call graphs, the verifier log's tail, how to reproduce it, and triage.
import { api, getToken } from '../api.js';
import { STATUSES, classBadge, errorBox, fmtInt, h, reasonLine, statusBadge, time } from '../dom.js';
import { divergingInsn, funcOf, isStackArgStore, decodeInsns, programFileName, programFileText, refusingSide } from '../program.js';
import { callGraphSvg } from '../callgraph.js';

const AUTHOR_KEY = 'bpfdiff.author';

// ---- outcomes -------------------------------------------------------------------------------

const OUTCOME_ROWS = [
  ['verdict', (o) => o.verdict],
  ['errno', (o) => (o.errno ? String(o.errno) : undefined)],
  ['reason line', (o) => o.message || undefined],
  ['crash', (o) => (o.verdict === 'crash' || o.verdict === 'hang' ? o.crashTitle : undefined)],
  ['7.3 report', (o) => o.report],
  ['retval', (o) => (o.retval === undefined ? undefined : `${o.retval >>> 0}${o.unpredictable ? ' (unpredictable)' : ''}`)],
  ['JIT length', (o) => (o.jit?.len === undefined ? undefined : `${o.jit.len} B${o.jit.funcLens ? ` (${o.jit.funcLens.join(' + ')})` : ''}`)],
  ['verified insns', (o) => (o.verifiedInsns === undefined ? undefined : fmtInt(o.verifiedInsns))],
  ['identity', (o) => o.kernel],
];

/** Columns: the model and each kernel for the original program, then the same for the reduced one. */
function outcomeColumns(record, title) {
  const cols = [];
  const models = new Map();
  const kernels = new Map();
  for (const ex of record.examples) {
    if (!models.has(ex.model.kernel)) models.set(ex.model.kernel, { group: 'original', title: `model (${ex.model.kernel.replace(/^model:/, '')})`, outcome: ex.model, cls: 'model' });
    // cross-kernel `a~b`: the outcome kept is b's, the prediction both profiles share
    const [a, b] = ex.kernel.split('~');
    if (!kernels.has(ex.kernel)) kernels.set(ex.kernel, { group: 'original', title: b ? `kernel ${b} (differs from ${a})` : `kernel ${a}`, outcome: ex.actual, cls: 'kernel', model: ex.model });
  }
  for (const k of record.kernels) if (!kernels.has(k)) kernels.set(k, { group: 'original', title: `kernel ${k}`, cls: 'kernel' });
  cols.push(...models.values(), ...kernels.values());
  const r = record.reduced;
  if (r?.model) cols.push({ group: 'reduced', title: `model (${r.model.kernel.replace(/^model:/, '')})`, outcome: r.model, cls: 'model' });
  if (r?.actual) cols.push({ group: 'reduced', title: `kernel ${r.kernel}`, outcome: r.actual, cls: 'kernel', model: r.model });
  for (const c of cols) if (c.outcome && (c.outcome.verdict === 'crash' || c.outcome.verdict === 'hang')) c.outcome = { ...c.outcome, crashTitle: title };
  return cols;
}

function outcomesTable(record, title) {
  const cols = outcomeColumns(record, title);
  const groups = ['original', 'reduced'].map((g) => [g, cols.filter((c) => c.group === g).length]).filter(([, n]) => n > 0);
  // a row only where some column has something to say (no 7.3 report row on a 7.2-only finding)
  const rows = OUTCOME_ROWS.filter(([, get]) => cols.some((c) => c.outcome && get(c.outcome) !== undefined));
  return h('table', { class: 'outcomes', id: 'outcomes' },
    h('thead', {},
      h('tr', { class: 'groups' }, h('th', {}, ''), groups.map(([g, n]) => h('th', { colspan: n, class: `group ${g}`, 'data-group': g }, g === 'original' ? 'original program' : `reduced (${record.reduced.reducedInsns} insns)`))),
      h('tr', {}, h('th', {}, ''), cols.map((c) => h('th', { class: `${c.cls} ${c.group}`, 'data-group': c.group }, c.title)))),
    h('tbody', {}, rows.map(([label, get]) => h('tr', { 'data-row': label },
      h('th', {}, label),
      cols.map((c) => {
        if (!c.outcome) return h('td', { class: 'muted' }, label === 'verdict' ? 'seen; no example kept' : '');
        const value = get(c.outcome) ?? '—';
        const differs = c.model && !['identity', 'verified insns', 'JIT length', 'crash'].includes(label) && value !== (get(c.model) ?? '—');
        return h('td', { class: `${c.cls} ${c.group}${differs ? ' differs' : ''}${label === 'reason line' || label === 'crash' ? ' mono' : ''}`, 'data-group': c.group, 'data-verdict': label === 'verdict' ? value : undefined }, value);
      })))));
}

// ---- disassembly ----------------------------------------------------------------------------

/**
 * The log line of the first disagreement: in a level-2 log the `step`-th instruction line of the
 * walk (which starts at the first `N: R...` state line, after the listings 7.x prints before it);
 * in a level-1 log every line of the instruction.
 */
function disagreeLines(lines, disagree, level2) {
  const out = new Set();
  if (!disagree) return out;
  if (!level2) {
    lines.forEach((l, i) => { if (new RegExp(`^${disagree.insn}: \\(`).test(l)) out.add(i); });
    return out;
  }
  const start = lines.findIndex((l) => /^\d+: (frame\d+: )?R\d+/.test(l));
  let step = 0;
  for (let i = Math.max(0, start); i < lines.length; i++) {
    if (!/^\d+: \(/.test(lines[i])) continue;
    if (step++ === disagree.step) {
      out.add(i);
      break;
    }
  }
  return out;
}

/** The kernel's verifier log with the lines of instruction `hit` marked (the last one most), and the first disagreement's. */
function logView(log, hit, id, disagree, level2) {
  const lines = log.replace(/\s+$/, '').split('\n');
  let last = -1;
  if (hit !== undefined) lines.forEach((l, i) => { if (new RegExp(`^${hit}: \\(`).test(l)) last = i; });
  const disagreeAt = disagreeLines(lines, disagree, level2);
  const pre = h('pre', { class: 'log verifier-log', id });
  lines.forEach((l, i) => {
    const m = /^(\d+): \(/.exec(l);
    const cls = [i === last ? 'log-hit last' : m && Number(m[1]) === hit ? 'log-hit' : /^\[bpfdiff: /.test(l) ? 'log-cut' : undefined, disagreeAt.has(i) ? 'log-disagree' : undefined].filter(Boolean).join(' ') || undefined;
    pre.append(h('span', { class: cls, 'data-line': i, title: disagreeAt.has(i) ? disagree.text : undefined }, l), '\n');
  });
  return { pre, scroll: () => { const el = pre.querySelector('.log-disagree') ?? pre.querySelector('.log-hit.last'); if (el) pre.scrollTop = Math.max(0, el.offsetTop - pre.clientHeight / 2); } };
}

/** `R0 map_value vs map_value_or_null` (model first), or the walk's text for a walk difference */
const disagreeWhat = (d) => (d.kind !== 'state' ? d.text.replace(/^model and kernel /, '') : d.field === 'type' ? `R${d.reg} ${d.model} vs ${d.kernel}` : `R${d.reg} ${d.field} ${d.model} vs ${d.kernel}`);

/** The first disagreement in a line of its own above the listing: what differs, where. */
function disagreePanel(d, id) {
  if (!d) return null;
  return h('p', { class: `first-disagreement ${d.kind}`, id: `${id}-disagree`, 'data-insn': d.insn, 'data-kind': d.kind },
    h('strong', {}, d.kind === 'state' ? `First disagreement, insn ${d.insn}: ` : 'No state disagreement: '), h('span', { class: 'mono' }, d.text),
    h('span', { class: 'muted small' }, ` (the program loaded again at verifier log level 2, its states aligned with the model's walk; ${d.agreedSteps} step${d.agreedSteps === 1 ? '' : 's'} agree before)`));
}

/** The model's walk at the highlighted instruction: its state there and its own verdict. */
function modelTracePanel(trace, hit, listing, disagree) {
  if (!trace) return null;
  const at = hit === undefined ? [] : trace.lines.filter((l) => l.insn === hit);
  // listing lines are by position; an LD_IMM64 takes two instruction slots and one line
  const text = (l) => `${l.insn}: ${listing?.find((x) => x.index === l.insn)?.text ?? ''}`;
  // the model's own state where it first parts ways with the kernel (the step-th line of its walk when kept)
  const exact = disagree?.modelStep === undefined ? undefined : trace.lines[disagree.modelStep - trace.cut];
  const disagreeAt = disagree?.kind === 'state' ? (exact?.insn === disagree.insn ? [exact] : trace.lines.filter((l) => l.insn === disagree.insn).slice(0, 1)) : [];
  return h('div', { class: 'model-trace', id: 'model-trace' },
    h('h3', {}, `Model's walk (${trace.profile})`),
    h('p', { class: 'small' }, 'verdict ', h('strong', {}, trace.verdict), trace.message ? [': ', h('span', { class: 'mono reason' }, trace.message)] : ''),
    hit === undefined
      ? h('p', { class: 'muted small' }, 'No instruction highlighted.')
      : at.length === 0
        ? h('p', { class: 'muted small' }, `The model's walk never reached insn ${hit}${trace.cut ? ` in the ${trace.lines.length} steps kept` : ''}.`)
        : h('div', {},
          h('p', { class: 'small' }, `State before insn ${hit}, each time the walk reached it (${at.length}):`),
          h('pre', { class: 'log model-state' }, at.slice(-4).map((l) => [h('span', { class: 'log-hit' }, text(l)), '\n', `   ${l.state}`, '\n']))),
    disagreeAt.length && disagree.insn === hit
      ? h('p', { class: 'small model-disagree', id: 'model-trace-disagree' }, `Insn ${hit} is also where the model and the kernel first disagree: ${disagreeWhat(disagree)}.`)
      : disagreeAt.length
      ? h('div', { class: 'model-disagree', id: 'model-trace-disagree' },
        h('p', { class: 'small' }, `State before insn ${disagree.insn}, where the model and the kernel first disagree (${disagreeWhat(disagree)}):`),
        h('pre', { class: 'log model-state' }, disagreeAt.map((l) => [h('span', { class: 'log-disagree' }, text(l)), '\n', `   ${l.state}`, '\n'])))
      : null);
}

function disassemblyPane({ title, subtitle, lines, program, example, id, log, logTitle, logLevel2, trace, disagree }) {
  const pane = h('section', { class: 'panel disasm-panel', id });
  pane.append(h('h2', {}, title));
  if (subtitle) pane.append(h('p', { class: 'muted small' }, subtitle));
  if (!lines || !program) {
    pane.append(h('p', { class: 'muted' }, title.startsWith('Reduced') ? 'Not reduced yet: a reduce job runs for each new signature.' : 'No program kept.'));
    return { pane };
  }
  const side = refusingSide(example);
  const hit = divergingInsn(side?.outcome, program);
  const insns = decodeInsns(program.insns);
  const starts = new Map(program.funcs.map((f) => [f.start, f]));
  const listing = h('div', { class: 'disasm', role: 'list' });
  let hitLine;
  for (const { index, text } of lines) {
    const f = starts.get(index);
    if (f) listing.append(h('div', { class: 'func-head' }, `; func ${f.name} args=${f.args}${f.linkage === 'global' ? ' global' : ''}${f.argTypes ? ` types=${f.argTypes.join(',')}` : ''}`));
    const isHit = hit?.index === index;
    const isDisagree = disagree?.kind === 'state' && disagree.insn === index;
    const line = h('div', { class: `insn${isHit ? ' hit' : ''}${isDisagree ? ' disagree' : ''}${isStackArgStore(insns[index]) ? ' r11' : ''}`, role: 'listitem', 'data-index': index },
      h('span', { class: 'idx' }, `${index}:`), ' ', text, isHit ? h('span', { class: 'hit-mark' }, ` ◀ ${side.who}: ${side.outcome.verdict === 'crash' ? 'crashed here' : side.outcome.message}`) : null,
      isDisagree ? h('span', { class: 'disagree-mark' }, ` ◆ first disagreement: ${disagreeWhat(disagree)}`) : null);
    if (isHit) hitLine = line;
    listing.append(line);
  }
  const why = h('p', { class: 'hit-why small' }, hit
    ? [`Highlighted: insn ${hit.index}, `, h('em', {}, hit.how), ` (${side.who}'s outcome${side.outcome.verdict === 'crash' ? ': the log the kernel had written when it crashed' : ''}).`]
    : [h('span', { class: 'muted' }, side ? `No instruction identified: the ${side.who}'s reason line names none and no verifier log was kept.` : 'No instruction highlighted: both sides accepted (the difference is in the run, not the verifier).')]);
  let logPart = null;
  let logScroll;
  if (log) {
    const v = logView(log, hit?.index, `${id}-log`, disagree, logLevel2);
    logScroll = v.scroll;
    logPart = h('div', { class: 'log-col' }, h('h3', {}, logTitle), v.pre);
  }
  pane.append(why, disagreePanel(disagree, id) ?? '', h('div', { class: logPart ? 'listing-and-log' : 'listing-only' }, h('div', { class: 'listing-col' }, listing), logPart));
  const modelPart = modelTracePanel(trace, hit?.index, lines, disagree);
  if (modelPart) pane.append(modelPart);
  const graph = h('figure', { class: 'graph', id: `${id}-graph` }, callGraphSvg(program, { highlightFunc: hit ? funcOf(program.funcs, hit.index) : undefined }),
    h('figcaption', { class: 'muted small' }, `Call graph of the ${title.toLowerCase()}: a box per function with its argument count; an orange bar marks a function that writes stack arguments (r11 stores); arrows are calls, labelled with the number of call sites (×n) and the stack arguments passed; yellow: the function holding the highlighted instruction; bold red arrows: its callers.`));
  return { pane, graph, scroll: () => { if (hitLine) listing.scrollTop = Math.max(0, hitLine.offsetTop - listing.clientHeight / 3); logScroll?.(); } };
}

function consolePanel(record) {
  const console = record.examples.find((ex) => ex.actual.console)?.actual.console;
  if (!console) return null;
  return h('section', { class: 'panel' }, h('h2', {}, 'Kernel console'), h('pre', { class: 'log', id: 'kernel-console' }, console));
}

/** How far the reduce job is: checks done and the current size, refreshed while it runs. */
function progressLine(record) {
  const p = record.reduceProgress;
  if (record.reduced) {
    const r = record.reduced;
    return h('p', { class: 'small', id: 'reduce-progress', 'data-state': 'done' }, `Reduced from ${r.originalInsns} to ${r.reducedInsns} insns${r.checks ? ` in ${fmtInt(r.checks)} checks` : ''}.`);
  }
  if (!p) return h('p', { class: 'muted small', id: 'reduce-progress', 'data-state': 'waiting' }, 'Reduction not started yet (it waits for campaign batches to finish).');
  const secs = Math.max(0, Math.round((Date.parse(p.at) - Date.parse(p.startedAt)) / 1000));
  return h('p', { class: 'small', id: 'reduce-progress', 'data-state': 'running' },
    h('progress', { max: p.maxChecks, value: p.checks }), ` reducing: ${fmtInt(p.checks)} of at most ${fmtInt(p.maxChecks)} checks, now ${p.insns} insns (from ${p.originalInsns}), ${secs} s so far; last step: ${p.step}`);
}

function selftestPanel(record) {
  const out = h('div', { class: 'selftest-out' });
  const button = h('button', { type: 'button', id: 'selftest-button' }, 'Show as kernel selftest');
  const copied = h('span', { class: 'muted small', 'aria-live': 'polite' });
  let text = '';
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      const pre = out.querySelector('pre');
      if (pre) getSelection().selectAllChildren(pre);
      document.execCommand('copy');
    }
    copied.textContent = ' copied';
    setTimeout(() => (copied.textContent = ''), 1500);
  };
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const res = await api.selftest(record.id);
      text = res.selftest;
      out.replaceChildren(
        h('p', { class: 'small' }, res.basis === 'model' ? "Annotation: the model's prediction of a fixed kernel (the real kernel crashed or hung; the test says so in a comment)." : "Annotation: the real kernel's outcome.", ' ',
          h('button', { type: 'button', id: 'selftest-copy', onclick: copy }, 'Copy selftest'), copied),
        h('pre', { class: 'selftest', id: 'selftest-text' }, res.selftest),
        ...(res.commitMessage ? [h('h3', {}, 'Commit message skeleton'), h('pre', { class: 'selftest', id: 'commit-message' }, res.commitMessage)] : []),
        h('p', { class: 'muted small' }, `Same text: bpfdiff export --selftest ${record.id}`));
    } catch (err) {
      out.replaceChildren(errorBox(err));
    } finally {
      button.disabled = false;
    }
  });
  return h('section', { class: 'panel', id: 'selftest-panel' }, h('h2', {}, 'Selftest'), h('p', { class: 'muted small' }, 'The reproducer as a test for tools/testing/selftests/bpf/progs/verifier_*.c, with a commit message skeleton.'), button, out);
}

// ---- reproduce and triage -------------------------------------------------------------------

function reproducePanel(record, cleanups) {
  const kernels = [...new Set(record.kernels.flatMap((k) => k.split('~')))];
  const which = record.reduced ? 'reduced' : 'original';
  const file = programFileName(record.id, which);
  let kernel = record.reduced?.kernel ?? record.examples[0]?.kernel?.split('~')[0] ?? kernels[0] ?? '7.2';
  const code = h('code', { id: 'repro-command' });
  const update = () => (code.textContent = `bpfdiff run ${file} --kernel ${kernel} --log`);
  update();
  const copied = h('span', { class: 'muted small', 'aria-live': 'polite' });
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(code.textContent);
    } catch {
      getSelection().selectAllChildren(code);
      document.execCommand('copy');
    }
    copied.textContent = ' copied';
    setTimeout(() => (copied.textContent = ''), 1500);
  };
  const download = (label, program, name) => {
    if (!program) return null;
    const url = URL.createObjectURL(new Blob([programFileText(program)], { type: 'application/json' }));
    cleanups.push(() => URL.revokeObjectURL(url));
    return h('a', { href: url, download: name, class: 'button', 'data-download': name }, label);
  };
  return h('section', { class: 'panel reproduce' },
    h('h2', {}, 'Reproduce'),
    h('div', { class: 'command' }, code, h('button', { type: 'button', onclick: copy }, 'Copy'), copied),
    kernels.length > 1
      ? h('label', { class: 'small' }, 'kernel ', h('select', { onchange: (ev) => { kernel = ev.target.value; update(); } }, kernels.map((k) => h('option', { value: k, selected: k === kernel }, k))))
      : null,
    h('div', { class: 'downloads' },
      download(`${which} program (.json)`, (record.reduced ?? record.examples[0])?.program, file),
      record.reduced ? download('original program (.json)', record.examples[0]?.program, programFileName(record.id, 'original')) : null),
    h('p', { class: 'muted small' }, 'Program files are bpfdiff.program/v1; `bpfdiff disasm FILE` prints them, `bpfdiff model FILE` gives the model\'s prediction.'));
}

function notesList(notes) {
  if (notes.length === 0) return h('p', { class: 'muted small', id: 'notes' }, 'No notes yet.');
  return h('ul', { class: 'notes', id: 'notes' }, notes.map((n) => h('li', {}, h('strong', {}, n.author), ' ', time(n.at), h('div', {}, n.text))));
}

function triagePanel(record, onChange) {
  let current = record;
  const statusSelect = h('select', { name: 'status', id: 'triage-status' }, STATUSES.map((s) => h('option', { value: s, selected: s === record.status }, s)));
  const author = h('input', { name: 'author', id: 'triage-author', value: localStorage.getItem('bpfdiff.author') ?? '', placeholder: 'your name', maxlength: 128 });
  const text = h('textarea', { name: 'note', id: 'triage-note', rows: 3, placeholder: 'note (optional)', maxlength: 10000 });
  const result = h('div', { class: 'triage-result', 'aria-live': 'polite' });
  let notes = notesList(record.notes);
  const save = h('button', { type: 'submit' }, 'Save');
  const form = h('form', { class: 'triage', id: 'triage-form' },
    h('label', {}, 'Status', statusSelect),
    h('label', {}, 'Author', author),
    h('label', { class: 'wide' }, 'Note', text),
    h('div', { class: 'actions' }, save, getToken() ? null : h('span', { class: 'muted small' }, 'needs the API token (top right)')),
    result);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const change = {};
    if (statusSelect.value !== current.status) change.status = statusSelect.value;
    const note = text.value.trim();
    if (note) {
      if (!author.value.trim()) {
        result.replaceChildren(errorBox(new Error('A note needs an author: fill in Author.')));
        return;
      }
      change.note = { author: author.value.trim(), text: note };
      localStorage.setItem(AUTHOR_KEY, author.value.trim());
    }
    if (Object.keys(change).length === 0) {
      result.replaceChildren(h('span', { class: 'muted' }, 'Nothing changed.'));
      return;
    }
    save.disabled = true;
    try {
      current = await api.triage(record.id, change);
      text.value = '';
      result.replaceChildren(h('span', { class: 'ok' }, `Saved: status ${current.status}${change.note ? ', note added' : ''}.`));
      const fresh = notesList(current.notes);
      notes.replaceWith(fresh);
      notes = fresh;
      onChange(current);
    } catch (err) {
      result.replaceChildren(errorBox(err));
    } finally {
      save.disabled = false;
    }
  });
  return h('section', { class: 'panel triage-panel' }, h('h2', {}, 'Triage'), form, h('h3', {}, 'Notes'), notes);
}

// ---- page -----------------------------------------------------------------------------------

export async function renderFinding(root, { id }) {
  const record = await api.divergence(id);
  const cleanups = [];
  const example = record.examples[0];
  const title = reasonLine(record);
  // the same program may have been kept for several kernels; one with a verifier log pinpoints best
  const located = record.examples.find((ex) => ex.program.insns === example?.program.insns && (ex.actual.log || ex.model.log)) ?? example;
  const badge = h('span', { id: 'status-badge' }, statusBadge(record.status));
  const r = record.reduced;
  const trace = record.modelTrace;
  const logOf = (o) => o?.log;
  const original = disassemblyPane({
    id: 'disasm-original',
    title: 'Original',
    subtitle: example ? `${fmtInt(decodeInsns(example.program.insns).length)} insns · ${example.program.funcs.length} functions · ${example.program.progType} · kernel ${example.kernel} · job ${example.jobId.slice(0, 8)}` : '',
    lines: record.disassembly.example,
    program: example?.program,
    example: located,
    log: logOf(located?.actual),
    logTitle: `Verifier log, kernel ${located?.kernel ?? ''} (level 1${located?.actual.verdict === 'crash' ? ', up to the crash' : ''})`,
    trace: trace?.of === 'example' ? trace : undefined,
    disagree: located?.firstDisagreement ?? example?.firstDisagreement,
  });
  const reduced = disassemblyPane({
    id: 'disasm-reduced',
    title: 'Reduced reproducer',
    subtitle: r ? `${r.reducedInsns} insns (from ${r.originalInsns}) · kernel ${r.kernel}${r.actual ? ` · kernel says ${r.actual.verdict}${r.actual.message ? `: ${r.actual.message}` : ''}` : ''}` : '',
    lines: record.disassembly.reduced,
    program: r?.program,
    example: r?.actual && r?.model ? { actual: r.actual, model: r.model } : example,
    log: r?.logLevel2 ?? logOf(r?.actual),
    logTitle: `Verifier log, kernel ${r?.kernel ?? ''} (${r?.logLevel2 ? 'level 2' : 'level 1'}${r?.actual?.verdict === 'crash' ? ', up to the crash' : ''})`,
    logLevel2: Boolean(r?.logLevel2),
    trace: trace?.of === 'reduced' ? trace : undefined,
    disagree: r?.firstDisagreement,
  });
  const disagree = r?.firstDisagreement ?? example?.firstDisagreement;
  const mutation = record.mutation ? [' · mutation ', h('span', { class: 'mono' }, record.mutation)] : [];
  const progress = progressLine(record);
  root.append(
    h('div', { class: 'page-head finding-head', 'data-finding': record.id },
      h('p', { class: 'crumbs' }, h('a', { href: '#/findings' }, '← Findings')),
      h('h1', { class: 'reason-title' }, title),
      h('p', {}, classBadge(record.class), ' ', badge, ' ', h('span', { class: 'muted' }, record.detail)),
      h('p', { class: 'muted small' }, `${fmtInt(record.count)} divergent run${record.count === 1 ? '' : 's'} on ${record.kernels.join(', ')} · profile ${record.profile} · first seen `, time(record.firstSeen), ' in job ', h('a', { href: `#/job/${record.firstJob}` }, record.firstJob.slice(0, 8)), ' · last seen ', time(record.lastSeen),
        ...mutation, record.lastReplay ? ` · last replay on ${record.lastReplay.kernel}: ${record.lastReplay.reproduced ? 'reproduced' : 'did not reproduce'}` : '',
        h('br'), 'signature ', h('span', { class: 'mono' }, record.signature)),
      disagree ? h('p', { class: 'first-disagreement-head', id: 'first-disagreement' }, h('span', { class: 'mono' }, disagree.text), r?.firstDisagreement ? h('span', { class: 'muted small' }, ' (reduced reproducer)') : null) : null,
      progress),
    h('div', { class: 'finding-top' },
      h('div', { class: 'main-col' }, h('section', { class: 'panel' }, h('h2', {}, 'Outcomes'), h('div', { class: 'table-wrap' }, outcomesTable(record, title))), consolePanel(record)),
      h('div', { class: 'side' }, reproducePanel(record, cleanups), selftestPanel(record), triagePanel(record, (next) => badge.replaceChildren(statusBadge(next.status))))),
    r ? reduced.pane : null,
    r ? h('div', { class: 'graph-row' }, reduced.graph ?? h('div')) : null,
    original.pane,
    h('div', { class: 'graph-row' }, original.graph ?? h('div')),
  );
  setTimeout(() => {
    reduced.scroll?.();
    original.scroll?.();
  }, 0);
  // while the reduce job runs, its progress line follows it
  if (!r) {
    const timer = setInterval(async () => {
      try {
        const next = await api.divergence(id);
        const fresh = progressLine(next);
        root.querySelector('#reduce-progress')?.replaceWith(fresh);
        if (next.reduced) clearInterval(timer);
      } catch {
        /* the next tick tries again */
      }
    }, 2000);
    cleanups.push(() => clearInterval(timer));
  }
  return () => cleanups.forEach((c) => c());
}
