// The call graph of a program as SVG, laid out by dagre (the layered-graph layout library,
// served to the page by the API at /vendor/dagre.esm.js): one box per function (name, argument
// count, linkage), one routed edge per caller→callee pair with its label (call sites ×n, stack
// arguments passed) on a background so no box or edge hides it. The edges into the function
// holding the highlighted instruction — the callers the divergence depends on — are drawn bold.
import dagre from '/vendor/dagre.esm.js';
import { svg } from './dom.js';
import { callGraph } from './program.js';

const BOX_W = 132;
const BOX_H = 46;
const CHAR_W = 6.4;
const LABEL_H = 15;

function edgeLabel(e) {
  const stackArgs = Math.max(0, ...e.sites.map((s) => s.stackArgs.length));
  return [e.sites.length > 1 ? `×${e.sites.length}` : '', stackArgs ? `${stackArgs} stack arg${stackArgs === 1 ? '' : 's'}` : '', e.kind === 'callback' ? 'cb' : ''].filter(Boolean).join(' ');
}

/** A smooth path through dagre's edge points (a quadratic curve through each midpoint). */
function pathOf(points) {
  if (points.length < 3) return `M${points.map((p) => `${p.x},${p.y}`).join(' L')}`;
  let d = `M${points[0].x},${points[0].y}`;
  for (let i = 1; i < points.length - 1; i++) {
    const mid = { x: (points[i].x + points[i + 1].x) / 2, y: (points[i].y + points[i + 1].y) / 2 };
    d += ` Q${points[i].x},${points[i].y} ${i === points.length - 2 ? `${points[i + 1].x},${points[i + 1].y}` : `${mid.x},${mid.y}`}`;
  }
  return d;
}

export function callGraphSvg(program, { highlightFunc } = {}) {
  const graph = callGraph(program);
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 36, ranksep: 56, edgesep: 24, marginx: 14, marginy: 14 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of graph.nodes) g.setNode(String(n.index), { width: BOX_W, height: BOX_H });
  const edges = graph.edges.filter((e) => graph.nodes[e.to] !== undefined);
  edges.forEach((e, k) => {
    const label = edgeLabel(e);
    g.setEdge(String(e.from), String(e.to), { label, width: label ? label.length * CHAR_W + 10 : 0, height: label ? LABEL_H : 0, labelpos: 'c' }, `e${k}`);
  });
  dagre.layout(g);
  const { width, height } = g.graph();

  const root = svg(
    'svg',
    { viewBox: `0 0 ${Math.ceil(width)} ${Math.ceil(height)}`, width: Math.ceil(width), height: Math.ceil(height), class: 'callgraph', role: 'img', 'aria-label': `call graph of ${graph.nodes.length} functions, ${edges.length} caller-callee edges` },
    svg('defs', {},
      svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' })),
      svg('marker', { id: 'arrow-key', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead key' }))),
  );

  const labels = [];
  edges.forEach((e, k) => {
    const layout = g.edge(String(e.from), String(e.to), `e${k}`);
    const key = highlightFunc !== undefined && e.to === highlightFunc;
    const sites = e.sites.map((s) => `insn ${s.insn}${s.stackArgs.length ? ` (r11 ${s.stackArgs.join(', ')})` : ''}`).join('; ');
    const from = graph.nodes[e.from].name;
    const to = graph.nodes[e.to].name;
    root.append(
      svg('g', { class: `edge ${e.kind}${key ? ' key' : ''}`, 'data-edge': `${from}->${to}` },
        svg('title', {}, `${from} → ${to}: ${sites}${key ? ' (a caller of the function the divergence is in)' : ''}`),
        svg('path', { d: pathOf(layout.points), 'marker-end': key ? 'url(#arrow-key)' : 'url(#arrow)' })),
    );
    if (layout.label) {
      const w = layout.width;
      // labels go on top of every edge and box, each on its own background
      labels.push(svg('g', { class: `edge-label-box${key ? ' key' : ''}`, 'data-edge-label': `${from}->${to}`, transform: `translate(${layout.x - w / 2},${layout.y - LABEL_H / 2})` },
        svg('rect', { width: w, height: LABEL_H, rx: 3 }),
        svg('text', { x: w / 2, y: LABEL_H - 4, 'text-anchor': 'middle', class: 'edge-label' }, layout.label)));
    }
  });

  for (const n of graph.nodes) {
    const p = g.node(String(n.index));
    const writes = n.stackArgStores.length > 0;
    const reads = n.args > 5;
    const cls = ['func', writes ? 'writes-stack-args' : '', reads ? 'takes-stack-args' : '', n.index === highlightFunc ? 'diverging' : ''].filter(Boolean).join(' ');
    const slots = [...new Set(n.stackArgStores.map((s) => s.off))].sort((x, y) => y - x);
    root.append(
      svg('g', { class: cls, transform: `translate(${p.x - BOX_W / 2},${p.y - BOX_H / 2})`, 'data-func': n.name },
        svg('title', {}, `${n.name}: starts at insn ${n.start}, ${n.args} args (${n.linkage})${writes ? `; r11 stores at insns ${n.stackArgStores.map((s) => s.insn).join(', ')}` : ''}`),
        svg('rect', { width: BOX_W, height: BOX_H, rx: 5 }),
        writes ? svg('rect', { class: 'r11-strip', width: 6, height: BOX_H, rx: 2 }) : null,
        svg('text', { x: BOX_W / 2, y: 18, 'text-anchor': 'middle', class: 'fname' }, n.name),
        svg('text', { x: BOX_W / 2, y: 35, 'text-anchor': 'middle', class: 'fargs' },
          `${n.args} arg${n.args === 1 ? '' : 's'}${n.linkage === 'global' ? ' · global' : ''}${writes ? ` · r11 ×${slots.length}` : ''}`)),
    );
  }
  root.append(...labels);
  return root;
}
