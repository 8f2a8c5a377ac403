// One finding: what differs (model and each kernel side by side), the reduced reproducer and
// the original as disassembly with the instruction the verifier stopped at highlighted, their
// call graphs, the verifier log's tail, how to reproduce it, and triage.
import { api, getToken } from '../api.js';
import { STATUSES, classBadge, errorBox, fmtInt, h, reasonLine, statusBadge, time } from '../dom.js';
import { divergingInsn, funcOf, isStackArgStore, decodeInsns, logExcerpt, programFileName, programFileText, refusingSide } from '../program.js';
import { callGraphSvg } from '../callgraph.js';

const AUTHOR_KEY = 'bpfdiff.author';

// ---- outcomes -------------------------------------------------------------------------------

const OUTCOME_ROWS = [
  ['verdict', (o) => o.verdict],
  ['errno', (o) => (o.errno ? String(o.errno) : '0')],
  ['reason line', (o) => o.message || '—'],
  ['7.3 report', (o) => o.report ?? '—'],
  ['retval', (o) => (o.retval === undefined ? '—' : `${o.retval >>> 0}${o.unpredictable ? ' (unpredictable)' : ''}`)],
  ['JIT length', (o) => (o.jit?.len === undefined ? '—' : `${o.jit.len} B${o.jit.funcLens ? ` (${o.jit.funcLens.join(' + ')})` : ''}`)],
  ['verified insns', (o) => (o.verifiedInsns === undefined ? '—' : fmtInt(o.verifiedInsns))],
  ['identity', (o) => o.kernel],
];

/** Columns: each distinct model prediction, then each kernel the finding was seen on. */
function outcomeColumns(record) {
  const models = new Map();
  const kernels = new Map();
  for (const ex of record.examples) {
    if (!models.has(ex.model.kernel)) models.set(ex.model.kernel, { title: `model (${ex.model.kernel.replace(/^model:/, '')})`, outcome: ex.model, cls: 'model' });
    // cross-kernel `a~b`: the outcome kept is b's, the prediction both profiles share
    const [a, b] = ex.kernel.split('~');
    if (!kernels.has(ex.kernel)) kernels.set(ex.kernel, { title: b ? `kernel ${b} (differs from ${a})` : `kernel ${a}`, outcome: ex.actual, cls: 'kernel', model: ex.model });
  }
  for (const k of record.kernels) if (!kernels.has(k)) kernels.set(k, { title: `kernel ${k}`, cls: 'kernel' });
  return [...models.values(), ...kernels.values()];
}

function outcomesTable(record) {
  const cols = outcomeColumns(record);
  return h('table', { class: 'outcomes', id: 'outcomes' },
    h('thead', {}, h('tr', {}, h('th', {}, ''), cols.map((c) => h('th', { class: c.cls }, c.title)))),
    h('tbody', {}, OUTCOME_ROWS.map(([label, get]) => h('tr', { 'data-row': label },
      h('th', {}, label),
      cols.map((c) => {
        if (!c.outcome) return h('td', { class: 'muted' }, label === 'verdict' ? 'seen; no example kept' : '');
        const value = get(c.outcome);
        const differs = c.model && label !== 'identity' && label !== 'verified insns' && label !== 'JIT length' && value !== get(c.model);
        return h('td', { class: `${c.cls}${differs ? ' differs' : ''}${label === 'reason line' ? ' mono' : ''}`, 'data-verdict': label === 'verdict' ? value : undefined }, value);
      })))));
}

// ---- disassembly ----------------------------------------------------------------------------

function disassemblyPane({ title, subtitle, lines, program, example, id }) {
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
    if (f) listing.append(h('div', { class: 'func-head' }, `; func ${f.name} args=${f.args}${f.linkage === 'global' ? ' global' : ''}`));
    const isHit = hit?.index === index;
    const line = h('div', { class: `insn${isHit ? ' hit' : ''}${isStackArgStore(insns[index]) ? ' r11' : ''}`, role: 'listitem', 'data-index': index },
      h('span', { class: 'idx' }, `${index}:`), ' ', text, isHit ? h('span', { class: 'hit-mark' }, ` ◀ ${side.who}: ${side.outcome.message}`) : null);
    if (isHit) hitLine = line;
    listing.append(line);
  }
  pane.append(
    h('p', { class: 'hit-why small' }, hit
      ? [`Highlighted: insn ${hit.index}, `, h('em', {}, hit.how), ` (${side.who}'s outcome).`]
      : [h('span', { class: 'muted' }, side ? `No instruction identified: the ${side.who}'s reason line names none and no verifier log was kept.` : 'No instruction highlighted: both sides accepted (the difference is in the run, not the verifier).')]),
    listing);
  const graph = h('figure', { class: 'graph' }, callGraphSvg(program, { highlightFunc: hit ? funcOf(program.funcs, hit.index) : undefined }),
    h('figcaption', { class: 'muted small' }, 'Call graph: a box per function with its argument count; an orange bar marks a function that writes stack arguments (r11 stores); arrows are calls, labelled with the number of call sites (×n) and the stack arguments passed; yellow: the function holding the highlighted instruction.'));
  return { pane, graph, scroll: () => hitLine && (listing.scrollTop = Math.max(0, hitLine.offsetTop - listing.clientHeight / 3)) };
}

function logPanel(record) {
  const sources = [
    ...record.examples.flatMap((ex) => [[`kernel ${ex.kernel}`, ex.actual], ['model', ex.model]]),
    ...(record.reduced ? [[`reduced, kernel ${record.reduced.kernel}`, record.reduced.actual]] : []),
  ];
  const found = sources.find(([, o]) => o?.log);
  const console = record.examples.find((ex) => ex.actual.console)?.actual.console;
  if (!found && !console) return h('section', { class: 'panel' }, h('h2', {}, 'Verifier log'), h('p', { class: 'muted small' }, 'No verifier log kept for this finding; run the command under Reproduce (it passes --log) to see it.'));
  const parts = [];
  if (found) {
    const [who, o] = found;
    const ex = logExcerpt(o.log, o.message);
    parts.push(h('h2', {}, `Verifier log (${who})`), ex.skipped ? h('p', { class: 'muted small' }, `last lines; ${ex.skipped} earlier lines not shown`) : null,
      h('pre', { class: 'log', id: 'verifier-log' }, ex.text.split('\n').map((l) => [h('span', { class: l.trim() === o.message ? 'reason' : undefined }, l), '\n'])));
  }
  if (console) parts.push(h('h2', {}, 'Kernel console'), h('pre', { class: 'log' }, console));
  return h('section', { class: 'panel' }, parts);
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
  // the same program may have been kept for several kernels; one with a verifier log pinpoints best
  const located = record.examples.find((ex) => ex.program.insns === example?.program.insns && (ex.actual.log || ex.model.log)) ?? example;
  const badge = h('span', { id: 'status-badge' }, statusBadge(record.status));
  const original = disassemblyPane({
    id: 'disasm-original',
    title: 'Original',
    subtitle: example ? `${record.reduced ? '' : 'Not reduced yet (a reduce job runs for each new signature) · '}${fmtInt(decodeInsns(example.program.insns).length)} insns · ${example.program.funcs.length} functions · ${example.program.progType} · kernel ${example.kernel} · job ${example.jobId.slice(0, 8)}` : '',
    lines: record.disassembly.example,
    program: example?.program,
    example: located,
  });
  const r = record.reduced;
  const reduced = disassemblyPane({
    id: 'disasm-reduced',
    title: 'Reduced reproducer',
    subtitle: r ? `${r.reducedInsns} insns (from ${r.originalInsns}) · kernel ${r.kernel}${r.actual ? ` · kernel says ${r.actual.verdict}${r.actual.message ? `: ${r.actual.message}` : ''}` : ''}` : '',
    lines: record.disassembly.reduced,
    program: r?.program,
    example: r?.actual && r?.model ? { actual: r.actual, model: r.model } : example,
  });
  const mutation = record.mutation ? [' · mutation ', h('span', { class: 'mono' }, record.mutation)] : [];
  root.append(
    h('div', { class: 'page-head finding-head', 'data-finding': record.id },
      h('p', { class: 'crumbs' }, h('a', { href: '#/findings' }, '← Findings')),
      h('h1', { class: 'reason-title' }, reasonLine(record)),
      h('p', {}, classBadge(record.class), ' ', badge, ' ', h('span', { class: 'muted' }, record.detail)),
      h('p', { class: 'muted small' }, `${fmtInt(record.count)} divergent run${record.count === 1 ? '' : 's'} on ${record.kernels.join(', ')} · profile ${record.profile} · first seen `, time(record.firstSeen), ' · last seen ', time(record.lastSeen),
        ...mutation, record.lastReplay ? ` · last replay on ${record.lastReplay.kernel}: ${record.lastReplay.reproduced ? 'reproduced' : 'did not reproduce'}` : '',
        h('br'), 'signature ', h('span', { class: 'mono' }, record.signature))),
    h('div', { class: 'finding-top' },
      h('div', { class: 'main-col' }, h('section', { class: 'panel' }, h('h2', {}, 'Outcomes'), h('div', { class: 'table-wrap' }, outcomesTable(record))), logPanel(record)),
      h('div', { class: 'side' }, reproducePanel(record, cleanups), triagePanel(record, (next) => badge.replaceChildren(statusBadge(next.status))))),
    // without a reduced reproducer the original gets the whole width
    r ? h('div', { class: 'grid-2 disasm-row' }, reduced.pane, original.pane) : original.pane,
    h('div', { class: r ? 'grid-2 graph-row' : 'graph-row' }, r ? reduced.graph ?? h('div') : null, original.graph ?? h('div')),
  );
  setTimeout(() => {
    reduced.scroll?.();
    original.scroll?.();
    // the reason line is at the log's end
    for (const pre of root.querySelectorAll('pre.log')) pre.scrollTop = pre.scrollHeight;
  }, 0);
  return () => cleanups.forEach((c) => c());
}
