// The call graph of a program as SVG: one box per function (name, argument count, linkage),
// one arrow per caller→callee edge, layered so calls point down. A function that writes
// outgoing stack arguments (`*(u64 *)(r11 -N) = ...`) gets a marked box and its r11 slots.
import { svg } from './dom.js';
import { callGraph, layers } from './program.js';

const BOX_W = 132;
const BOX_H = 46;
const GAP_X = 28;
const GAP_Y = 44;
const PAD = 12;

export function callGraphSvg(program, { highlightFunc } = {}) {
  const graph = callGraph(program);
  const rows = layers(graph);
  const widest = Math.max(...rows.map((r) => r.length));
  const width = Math.max(widest * (BOX_W + GAP_X) - GAP_X + 2 * PAD, BOX_W + 2 * PAD);
  const height = rows.length * (BOX_H + GAP_Y) - GAP_Y + 2 * PAD;
  const pos = new Map();
  rows.forEach((row, r) => {
    const rowW = row.length * (BOX_W + GAP_X) - GAP_X;
    const x0 = (width - rowW) / 2;
    row.forEach((k, j) => pos.set(k, { x: x0 + j * (BOX_W + GAP_X), y: PAD + r * (BOX_H + GAP_Y) }));
  });

  const root = svg(
    'svg',
    { viewBox: `0 0 ${width} ${height}`, class: 'callgraph', role: 'img', 'aria-label': `call graph of ${graph.nodes.length} functions`, style: `max-width:${width}px` },
    svg('defs', {}, svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' }))),
  );

  for (const e of graph.edges) {
    const a = pos.get(e.from);
    const b = pos.get(e.to);
    if (!a || !b) continue;
    const stackArgs = Math.max(0, ...e.sites.map((s) => s.stackArgs.length));
    const label = [e.sites.length > 1 ? `×${e.sites.length}` : '', stackArgs ? `${stackArgs} stack arg${stackArgs === 1 ? '' : 's'}` : '', e.kind === 'callback' ? 'cb' : ''].filter(Boolean).join(' ');
    let path;
    let lx;
    let ly;
    if (e.from === e.to) {
      const x = a.x + BOX_W;
      const y = a.y + BOX_H / 2;
      path = `M${x},${y - 10} C${x + 34},${y - 30} ${x + 34},${y + 30} ${x},${y + 10}`;
      lx = x + 30;
      ly = y + 4;
    } else {
      const x1 = a.x + BOX_W / 2;
      const y1 = a.y + (b.y > a.y ? BOX_H : 0);
      const x2 = b.x + BOX_W / 2;
      const y2 = b.y + (b.y > a.y ? 0 : BOX_H);
      const bend = b.y > a.y ? GAP_Y / 2 : -GAP_Y;
      path = `M${x1},${y1} C${x1},${y1 + bend} ${x2},${y2 - bend} ${x2},${y2}`;
      lx = (x1 + x2) / 2 + 4;
      ly = (y1 + y2) / 2 + 4;
    }
    const sites = e.sites.map((s) => `insn ${s.insn}${s.stackArgs.length ? ` (r11 ${s.stackArgs.join(', ')})` : ''}`).join('; ');
    root.append(
      svg('g', { class: `edge ${e.kind}` },
        svg('title', {}, `${graph.nodes[e.from].name} → ${graph.nodes[e.to]?.name ?? e.target}: ${sites}`),
        svg('path', { d: path, 'marker-end': 'url(#arrow)' }),
        label ? svg('text', { x: lx, y: ly, class: 'edge-label' }, label) : null),
    );
  }

  for (const n of graph.nodes) {
    const p = pos.get(n.index);
    const writes = n.stackArgStores.length > 0;
    const reads = n.args > 5;
    const cls = ['func', writes ? 'writes-stack-args' : '', reads ? 'takes-stack-args' : '', n.index === highlightFunc ? 'diverging' : ''].filter(Boolean).join(' ');
    const slots = [...new Set(n.stackArgStores.map((s) => s.off))].sort((x, y) => y - x);
    root.append(
      svg('g', { class: cls, transform: `translate(${p.x},${p.y})`, 'data-func': n.name },
        svg('title', {}, `${n.name}: starts at insn ${n.start}, ${n.args} args (${n.linkage})${writes ? `; r11 stores at insns ${n.stackArgStores.map((s) => s.insn).join(', ')}` : ''}`),
        svg('rect', { width: BOX_W, height: BOX_H, rx: 5 }),
        writes ? svg('rect', { class: 'r11-strip', width: 6, height: BOX_H, rx: 2 }) : null,
        svg('text', { x: BOX_W / 2, y: 18, 'text-anchor': 'middle', class: 'fname' }, n.name),
        svg('text', { x: BOX_W / 2, y: 35, 'text-anchor': 'middle', class: 'fargs' },
          `${n.args} arg${n.args === 1 ? '' : 's'}${n.linkage === 'global' ? ' · global' : ''}${writes ? ` · r11 ×${slots.length}` : ''}`)),
    );
  }
  return root;
}
