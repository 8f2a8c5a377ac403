// Small SVG charts drawn by hand: a time series with points (throughput per night), several
// series over time with a legend (coverage per night, per campaign job), and a bar chart
// (divergences per night). Scales are linear with "nice" round ticks.
import { svg } from './dom.js';

const W = 520;
const H = 200;
const M = { top: 12, right: 14, bottom: 34, left: 52 };

function niceMax(v) {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function yAxis(max, label) {
  const g = svg('g', { class: 'axis' });
  const inner = H - M.top - M.bottom;
  for (let k = 0; k <= 4; k++) {
    const v = (max * k) / 4;
    const y = M.top + inner - (inner * k) / 4;
    g.append(svg('line', { x1: M.left, x2: W - M.right, y1: y, y2: y, class: 'grid' }));
    g.append(svg('text', { x: M.left - 6, y: y + 4, 'text-anchor': 'end' }, Number.isInteger(v) ? v.toLocaleString('en-US') : v.toFixed(1)));
  }
  g.append(svg('text', { x: 12, y: M.top + inner / 2, transform: `rotate(-90 12 ${M.top + inner / 2})`, 'text-anchor': 'middle', class: 'axis-label' }, label));
  return g;
}

function empty(title, note) {
  return svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': title },
    svg('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'empty' }, note));
}

const shortDate = (t) => new Date(t).toISOString().slice(5, 16).replace('T', ' ');

/** points: [{t: ms, y: number, label: string}] in time order */
export function timeSeries(points, { title, yLabel, emptyNote = 'no data yet', tick = (t) => `${shortDate(t)} UTC` }) {
  if (points.length === 0) return empty(title, emptyNote);
  const t0 = points[0].t;
  const t1 = points.length > 1 ? points[points.length - 1].t : t0 + 1;
  const max = niceMax(Math.max(...points.map((p) => p.y)));
  const innerW = W - M.left - M.right;
  const innerH = H - M.top - M.bottom;
  const x = (t) => M.left + (points.length === 1 ? innerW / 2 : ((t - t0) / (t1 - t0)) * innerW);
  const y = (v) => M.top + innerH - (v / max) * innerH;
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': title }, yAxis(max, yLabel));
  chart.append(svg('polyline', { class: 'series', points: points.map((p) => `${x(p.t).toFixed(1)},${y(p.y).toFixed(1)}`).join(' ') }));
  for (const p of points) chart.append(svg('circle', { class: 'dot', cx: x(p.t), cy: y(p.y), r: 3.5 }, svg('title', {}, p.label)));
  const ticks = points.length === 1 ? [t0] : [t0, (t0 + t1) / 2, t1];
  ticks.forEach((t, k) => chart.append(svg('text', { x: x(t), y: H - 12, 'text-anchor': ['start', 'middle', 'end'][points.length === 1 ? 1 : k], class: 'axis' }, tick(t))));
  return chart;
}

/** bars: [{label, note?, parts: [{value, cls, name}]}] stacked bottom-up; note is printed above */
export function stackedBars(bars, { title, yLabel, emptyNote }) {
  if (bars.length === 0) return empty(title, emptyNote);
  const max = niceMax(Math.max(...bars.map((b) => b.parts.reduce((s, p) => s + p.value, 0))));
  const innerW = W - M.left - M.right;
  const innerH = H - M.top - M.bottom;
  const slot = innerW / bars.length;
  const bw = Math.min(36, slot * 0.7);
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': title }, yAxis(max, yLabel));
  const every = Math.ceil(bars.length / 8);
  bars.forEach((b, k) => {
    const cx = M.left + slot * (k + 0.5);
    let base = M.top + innerH;
    for (const part of b.parts) {
      const hgt = (part.value / max) * innerH;
      if (hgt > 0) chart.append(svg('rect', { class: `bar ${part.cls}`, x: cx - bw / 2, y: base - hgt, width: bw, height: hgt }, svg('title', {}, `${b.label}: ${part.value} ${part.name}`)));
      base -= hgt;
    }
    if (b.note) chart.append(svg('text', { x: cx, y: base - 4, 'text-anchor': 'middle', class: 'bar-note' }, b.note));
    if (k % every === 0) chart.append(svg('text', { x: cx, y: H - 12, 'text-anchor': 'middle', class: 'axis' }, b.label));
  });
  return chart;
}

/**
 * Several series on one time axis, each with its own class and a legend entry.
 * series: [{name, cls, points: [{t: ms, y: number, label: string}]}], points in time order.
 */
export function multiSeries(series, { title, yLabel, emptyNote = 'no data yet', tick = (t) => `${shortDate(t)} UTC` }) {
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return empty(title, emptyNote);
  const t0 = Math.min(...all.map((p) => p.t));
  const t1 = Math.max(...all.map((p) => p.t));
  const one = t1 === t0;
  const max = niceMax(Math.max(...all.map((p) => p.y)));
  const innerW = W - M.left - M.right;
  const innerH = H - M.top - M.bottom;
  const x = (t) => M.left + (one ? innerW / 2 : ((t - t0) / (t1 - t0)) * innerW);
  const y = (v) => M.top + innerH - (v / max) * innerH;
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart multi', role: 'img', 'aria-label': title }, yAxis(max, yLabel));
  series.forEach((s, k) => {
    const g = svg('g', { class: `series-group ${s.cls}`, 'data-series': s.name });
    if (s.points.length > 1) g.append(svg('polyline', { class: 'series', points: s.points.map((p) => `${x(p.t).toFixed(1)},${y(p.y).toFixed(1)}`).join(' ') }));
    for (const p of s.points) g.append(svg('circle', { class: 'dot', cx: x(p.t), cy: y(p.y), r: 3.5, 'data-y': p.y }, svg('title', {}, p.label)));
    g.append(svg('text', { x: M.left + 8 + 130 * (k % 3), y: M.top + 10 + 13 * Math.floor(k / 3), class: 'legend' }, `— ${s.name}`));
    chart.append(g);
  });
  const ticks = one ? [t0] : [t0, (t0 + t1) / 2, t1];
  ticks.forEach((t, k) => chart.append(svg('text', { x: x(t), y: H - 12, 'text-anchor': ['start', 'middle', 'end'][one ? 1 : k], class: 'axis' }, tick(t))));
  return chart;
}
