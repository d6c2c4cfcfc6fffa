/**
 * The dashboard's statechart diagram: an SVG drawn once at start-up from
 * `lifecycleContract()` (so it is the machine's own transitions, never a second list), laid
 * out by dagre. No Mermaid, no CDN: the browser gets a finished SVG.
 *
 * To keep 100-odd status-level transitions readable, an event that reaches one status from many
 * (destroy, disable, billing suspension) is drawn once from an "any status" node, and an event
 * that returns an agent to wherever it was (enable, billing resolved) is drawn once to a
 * "where it was" node. Parallel edges between two statuses share one arrow and one label, and a transition the
 * machine writes once on a compound state (`settled`, `up`) is drawn once, from that group.
 *
 * @module
 */
import dagre from '@dagrejs/dagre';
import { type ContractNode, type LifecycleContract, lifecycleContract, type Status } from '@berth/core';

/** How many sources (or targets) make an event a fan-in (or fan-out) drawn through a hub node. */
const HUB_THRESHOLD = 8;

interface DiagramEdge {
  readonly from: string;
  readonly to: string;
  readonly events: string[];
  /** The statuses this edge leaves from (several for group and hub edges). */
  readonly sources: Status[];
}

interface DiagramNode {
  readonly id: string;
  readonly label: string;
  readonly className: string;
  readonly title: string;
}

/**
 * A compound state of the runtime region (`settled`, `up`): a transition written once on it
 * applies to every status inside, so the diagram draws it once, from the group's handle node.
 */
export interface DiagramGroup {
  readonly id: string;
  /** The compound state's name. */
  readonly label: string;
  /** The statuses of its leaves. */
  readonly statuses: readonly Status[];
}

/** The diagram before layout. */
export interface DiagramGraph {
  readonly nodes: DiagramNode[];
  readonly edges: DiagramEdge[];
  readonly groups: DiagramGroup[];
}

/** The SVG, and the groups a legend explains. */
export interface StatechartDiagram {
  readonly svg: string;
  /** The compound states drawn as handle nodes (`settled ▸`, `up ▸`). */
  readonly groups: readonly DiagramGroup[];
}

const escapeXml = (text: string) =>
  text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** Compound states under the runtime region whose leaves are two or more statuses. */
function runtimeGroups(contract: LifecycleContract): DiagramGroup[] {
  const statuses = new Set<string>(contract.statuses.map((s) => s.name));
  const out: DiagramGroup[] = [];
  const leaves = (node: ContractNode): Status[] =>
    node.states.length === 0
      ? statuses.has(node.key)
        ? [node.key as Status]
        : []
      : node.states.flatMap(leaves);
  const visit = (node: ContractNode) => {
    for (const child of node.states) {
      if (child.type !== 'compound') continue;
      const list = leaves(child);
      if (list.length < 2) continue;
      out.push({ id: `group:${child.key}`, label: child.key, statuses: list });
      visit(child);
    }
  };
  const find = (node: ContractNode): ContractNode | undefined =>
    node.key === 'runtime' ? node : node.states.map(find).find((n) => n !== undefined);
  const runtime = find(contract.machine);
  if (runtime) visit(runtime);
  return out;
}

/**
 * Build the diagram's nodes, clusters and edges from the contract's status-level transitions.
 * Exported for tests.
 */
export function diagramGraph(contract: LifecycleContract): DiagramGraph {
  const transitions = contract.transitions.filter((t) => t.from !== t.to && !t.targetless);
  const groups = runtimeGroups(contract);

  const sourcesOf = new Map<string, Set<Status>>();
  const targetsOf = new Map<string, Set<Status>>();
  for (const t of transitions) {
    const fanIn = `${t.event} ${t.to}`;
    const fanOut = `${t.from} ${t.event}`;
    (sourcesOf.get(fanIn) ?? sourcesOf.set(fanIn, new Set()).get(fanIn)!).add(t.from);
    (targetsOf.get(fanOut) ?? targetsOf.set(fanOut, new Set()).get(fanOut)!).add(t.to);
  }
  const nodes: DiagramNode[] = contract.statuses.map((s) => ({
    id: s.name,
    label: s.name,
    className: `node kind-${s.kind} region-${s.region}`,
    title: `${s.name} (${s.kind}): ${s.description}`,
  }));
  const edges = new Map<string, DiagramEdge>();
  const addEdge = (from: string, to: string, event: string, sources: readonly Status[]) => {
    const key = `${from}\u0000${to}`;
    const edge = edges.get(key);
    if (!edge) edges.set(key, { from, to, events: [event], sources: [...sources] });
    else {
      if (!edge.events.includes(event)) edge.events.push(event);
      for (const s of sources) if (!edge.sources.includes(s)) edge.sources.push(s);
    }
  };
  const addNode = (node: DiagramNode) => {
    if (!nodes.some((n) => n.id === node.id)) nodes.push(node);
  };
  const done = new Set<string>();
  for (const t of transitions) {
    const fanInKey = `${t.event} ${t.to}`;
    const sources = sourcesOf.get(fanInKey)!;
    const targets = targetsOf.get(`${t.from} ${t.event}`)!;
    if (sources.size >= HUB_THRESHOLD) {
      addNode({
        id: 'hub:any',
        label: 'any status',
        className: 'node hub',
        title: 'Events possible from (almost) every status; hover an arrow for the list.',
      });
      addEdge('hub:any', t.to, t.event, [...sources]);
    } else if (targets.size >= HUB_THRESHOLD) {
      addNode({
        id: 'hub:back',
        label: 'back to where it was',
        className: 'node hub',
        title: 'Lifting an overlay returns the agent to the status it had underneath.',
      });
      addEdge(t.from, 'hub:back', t.event, [t.from]);
    } else if (!done.has(fanInKey)) {
      // Leave from the largest compound state all of whose statuses take this event to the
      // same place (e.g. restart from anything `settled`), then from single statuses.
      done.add(fanInKey);
      const left = new Set(sources);
      for (const group of groups) {
        if (group.statuses.every((s) => left.has(s))) {
          const handle = `handle:${group.label}`;
          addNode({
            id: handle,
            label: `${group.label} ▸`,
            className: 'node handle',
            title: `Any ${group.label} status: ${group.statuses.join(', ')}`,
          });
          addEdge(handle, t.to, t.event, group.statuses);
          for (const s of group.statuses) left.delete(s);
        }
      }
      for (const s of left) addEdge(s, t.to, t.event, [s]);
    }
  }
  return { nodes, edges: [...edges.values()], groups };
}

/** Catmull-Rom through the points, as cubic Béziers: a smooth path that passes every point. */
function smoothPath(points: readonly { x: number; y: number }[]): string {
  if (points.length === 0) return '';
  const p = points;
  let d = `M${p[0]!.x.toFixed(1)},${p[0]!.y.toFixed(1)}`;
  for (let i = 0; i < p.length - 1; i++) {
    const p0 = p[i - 1] ?? p[i]!;
    const p1 = p[i]!;
    const p2 = p[i + 1]!;
    const p3 = p[i + 2] ?? p2;
    const c1 = { x: p1.x + (p2.x - p0.x) / 6, y: p1.y + (p2.y - p0.y) / 6 };
    const c2 = { x: p2.x - (p3.x - p1.x) / 6, y: p2.y - (p3.y - p1.y) / 6 };
    d += ` C${c1.x.toFixed(1)},${c1.y.toFixed(1)} ${c2.x.toFixed(1)},${c2.y.toFixed(1)} ${p2.x.toFixed(1)},${p2.y.toFixed(1)}`;
  }
  return d;
}

/**
 * Render the lifecycle statechart as an SVG document.
 *
 * @param contract - The chart. @default lifecycleContract()
 * @example
 * ```ts
 * const { svg } = renderStatechart();
 * app.get('/assets/statechart.svg', (_req, res) => res.type('image/svg+xml').send(svg));
 * ```
 */
export function renderStatechart(contract: LifecycleContract = lifecycleContract()): StatechartDiagram {
  const { nodes, edges, groups } = diagramGraph(contract);
  const g = new dagre.graphlib.Graph({ multigraph: false });
  g.setGraph({ rankdir: 'LR', nodesep: 22, ranksep: 40, edgesep: 10, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) {
    const small = node.className.includes('hub') || node.className.includes('handle');
    g.setNode(node.id, { width: node.label.length * (small ? 7 : 8.4) + 24, height: small ? 24 : 30 });
  }
  for (const edge of edges) {
    const longest = Math.max(...edge.events.map((e) => e.length));
    g.setEdge(edge.from, edge.to, {
      width: longest * 6.1 + 6,
      height: edge.events.length * 12,
      labelpos: 'c',
    });
  }
  dagre.layout(g);
  const graph = g.graph();
  const width = Math.ceil(graph.width ?? 800);
  const height = Math.ceil(graph.height ?? 600);

  const edgeSvg = edges.map((edge) => {
    const laid = g.edge(edge.from, edge.to);
    const label = edge.events.join(' · ');
    const x = laid.x ?? 0;
    const y = (laid.y ?? 0) - ((edge.events.length - 1) * 12) / 2 + 4;
    const lines = edge.events
      .map((e, i) => `<tspan x="${x.toFixed(1)}" y="${(y + i * 12).toFixed(1)}">${escapeXml(e)}</tspan>`)
      .join('');
    const to = edge.to.startsWith('hub:') ? 'where it was' : edge.to;
    return (
      `<g class="edge" data-from="${escapeXml(edge.from)}" data-to="${escapeXml(edge.to)}" data-sources="${edge.sources.join(' ')}" data-events="${escapeXml(edge.events.join(' '))}">` +
      `<title>${escapeXml(`${label}: ${edge.sources.join(', ')} → ${to}`)}</title>` +
      `<path d="${smoothPath(laid.points ?? [])}" marker-end="url(#sc-arrow)"/>` +
      `<text text-anchor="middle">${lines}</text>` +
      `</g>`
    );
  });
  const nodeSvg = nodes.map((node) => {
    const laid = g.node(node.id);
    const w = laid.width;
    const h = laid.height;
    const round = node.className.includes('node kind') ? 8 : h / 2;
    return (
      `<g class="${node.className}" data-status="${escapeXml(node.id)}" transform="translate(${(laid.x - w / 2).toFixed(1)},${(laid.y - h / 2).toFixed(1)})">` +
      `<title>${escapeXml(node.title)}</title>` +
      `<rect width="${w.toFixed(1)}" height="${h.toFixed(1)}" rx="${round.toFixed(1)}"/>` +
      `<text x="${(w / 2).toFixed(1)}" y="${(h / 2 + 4.5).toFixed(1)}" text-anchor="middle">${escapeXml(node.label)}</text>` +
      `</g>`
    );
  });
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" class="statechart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="sc-title">` +
    `<title id="sc-title">The Berth lifecycle statechart: ${contract.statuses.length} statuses and their transitions</title>` +
    `<defs><marker id="sc-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>` +
    `<g class="edges">${edgeSvg.join('')}</g><g class="nodes">${nodeSvg.join('')}</g></svg>`;

  return { svg, groups };
}
