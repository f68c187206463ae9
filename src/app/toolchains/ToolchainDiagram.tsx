// The block diagram of a toolchain (SVG): sources in the first column, each block in the column of
// its depth (1 + the deepest block it reads from); inputs on a block's left edge, outputs on its
// right, one curve per connection (dashed when inferred by input naming). During and after a run
// each block shows its status and process() count. The two blocks of a loop share a column, joined by
// their loop channel (a double arrow labelled with the request and answer formats).
import type { ToolchainCheck, ToolchainRunRecord } from '../../api';
import { STATUS_CLASS } from './runState';

const NODE_W = 200;
const COL_GAP = 90;
const ROW_GAP = 22;
const HEAD_H = 44;
const PORT_H = 18;
const PAD = 16;

interface Port {
  x: number;
  y: number;
}

interface Node {
  key: string;
  kind: 'source' | 'block';
  title: string;
  subtitle: string;
  x: number;
  y: number;
  h: number;
  inputs: { name: string; format: string }[];
  outputs: { name: string; format: string }[];
}

function shortFormat(f: string): string {
  return f.replace(/^system\//, '').replace(/\/1$/, '');
}

export interface LoopLink {
  key: string;
  from: Port;
  to: Port;
  label: string;
}

export function layoutDiagram(check: ToolchainCheck): {
  nodes: Node[];
  edges: { from: Port; to: Port; inferred: boolean; key: string }[];
  loops: LoopLink[];
  width: number;
  height: number;
} {
  const columns = new Map<number, Node[]>();
  const add = (depth: number, n: Omit<Node, 'x' | 'y'>) => {
    const col = columns.get(depth) ?? [];
    const y = col.length ? col[col.length - 1]!.y + col[col.length - 1]!.h + ROW_GAP : PAD;
    const node = { ...n, x: PAD + depth * (NODE_W + COL_GAP), y };
    col.push(node);
    columns.set(depth, col);
    return node;
  };
  const outPort = new Map<string, Port>();
  const inPort = new Map<string, Port>();
  const nodes: Node[] = [];
  for (const s of check.sources) {
    const n = add(0, {
      key: `source:${s.name}`,
      kind: 'source',
      title: s.name,
      subtitle: `source · ${s.units ?? '?'} ${s.kind === 'values' ? 'values' : 'items'}`,
      h: HEAD_H + PORT_H + 6,
      inputs: [],
      outputs: [{ name: shortFormat(s.format), format: s.format }],
    });
    nodes.push(n);
    outPort.set(s.name, { x: n.x + NODE_W, y: n.y + HEAD_H + PORT_H / 2 });
  }
  for (const b of check.blocks) {
    const rows = Math.max(b.inputs.length, b.isAnalyzer ? 1 : b.outputs.length, 1);
    const n = add(b.depth, {
      key: `block:${b.name}`,
      kind: 'block',
      title: b.name,
      subtitle: `${b.loop ? `loop ${b.loop.role} · ` : ''}${b.algorithm}${b.isAnalyzer ? ' · analyzer' : ''}`,
      h: HEAD_H + rows * PORT_H + 8,
      inputs: b.inputs.map((i) => ({ name: i.name, format: i.format })),
      outputs: b.isAnalyzer ? [{ name: 'results', format: 'analysis' }] : b.outputs,
    });
    nodes.push(n);
    n.inputs.forEach((i, k) => inPort.set(`${b.name}.${i.name}`, { x: n.x, y: n.y + HEAD_H + k * PORT_H + PORT_H / 2 }));
    n.outputs.forEach((o, k) => outPort.set(`${b.name}.${o.name}`, { x: n.x + NODE_W, y: n.y + HEAD_H + k * PORT_H + PORT_H / 2 }));
  }
  const edges = check.blocks.flatMap((b) =>
    b.inputs
      .map((i) => ({ key: `${i.from}->${b.name}.${i.name}`, from: outPort.get(i.from)!, to: inPort.get(`${b.name}.${i.name}`)!, inferred: i.inferred }))
      .filter((e) => e.from && e.to),
  );
  const nodeOf = new Map(nodes.map((n) => [n.key, n]));
  const loops = check.blocks.flatMap((b): LoopLink[] => {
    if (b.loop?.role !== 'processor') return [];
    const p = nodeOf.get(`block:${b.name}`)!;
    const e = nodeOf.get(`block:${b.loop.partner}`);
    if (!e) return [];
    const [top, bottom] = p.y <= e.y ? [p, e] : [e, p];
    return [
      {
        key: `loop:${b.loop.name}`,
        from: { x: top.x + NODE_W / 2, y: top.y + top.h },
        to: { x: bottom.x + NODE_W / 2, y: bottom.y },
        label: `loop ${b.loop.name}: ${shortFormat(b.loop.request)} ⇄ ${shortFormat(b.loop.answer)}`,
      },
    ];
  });
  const width = Math.max(...nodes.map((n) => n.x + NODE_W)) + PAD;
  const height = Math.max(...nodes.map((n) => n.y + n.h)) + PAD;
  return { nodes, edges, loops, width, height };
}

export function ToolchainDiagram({ check, run }: { check: ToolchainCheck; run: ToolchainRunRecord | null }) {
  const { nodes, edges, loops, width, height } = layoutDiagram(check);
  return (
    <figure className="tc-diagram" aria-label="Block diagram">
      <svg
        width={width}
        height={height}
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={`${check.sources.length} sources, ${check.blocks.length} blocks, ${edges.length} connections`}
        data-testid="tc-diagram"
      >
        <defs>
          <marker id="tc-arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto">
            <path d="M0,0 L8,4 L0,8 z" className="tc-arrowhead" />
          </marker>
          <marker id="tc-loop-arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0 L8,4 L0,8 z" className="tc-loop-head" />
          </marker>
        </defs>
        {loops.map((l) => (
          <g key={l.key} className="tc-loop" data-testid={`tc-${l.key.replace(':', '-')}`}>
            <path d={`M${l.from.x},${l.from.y + 2} L${l.to.x},${l.to.y - 2}`} markerStart="url(#tc-loop-arrow)" markerEnd="url(#tc-loop-arrow)">
              <title>{l.label}</title>
            </path>
            <text x={l.from.x + 12} y={(l.from.y + l.to.y) / 2 + 4} className="tc-loop-label">
              {l.label}
            </text>
          </g>
        ))}
        {edges.map((e) => {
          const dx = Math.max(30, (e.to.x - e.from.x) / 2);
          return (
            <path
              key={e.key}
              className={`tc-edge${e.inferred ? ' inferred' : ''}`}
              d={`M${e.from.x},${e.from.y} C${e.from.x + dx},${e.from.y} ${e.to.x - dx},${e.to.y} ${e.to.x - 2},${e.to.y}`}
              markerEnd="url(#tc-arrow)"
            >
              <title>{`${e.key.replace('->', ' → ')}${e.inferred ? ' (inferred by input naming)' : ''}`}</title>
            </path>
          );
        })}
        {nodes.map((n) => {
          const block = n.kind === 'block' ? run?.blocks[n.title] : undefined;
          const status = block?.status;
          return (
            <g
              key={n.key}
              transform={`translate(${n.x},${n.y})`}
              className={`tc-node ${n.kind}${status ? ` ${STATUS_CLASS[status] ?? ''}` : ''}`}
              data-testid={`tc-node-${n.title}`}
              data-status={status ?? ''}
            >
              <rect width={NODE_W} height={n.h} rx={6} />
              <text x={10} y={18} className="tc-title">
                {n.title}
              </text>
              <text x={10} y={34} className="tc-sub">
                {n.subtitle.length > 30 ? `${n.subtitle.slice(0, 29)}…` : n.subtitle}
              </text>
              {status && (
                <text x={NODE_W - 8} y={18} textAnchor="end" className="tc-status">
                  {status === 'RUNNING' || status === 'DONE' ? `${status.toLowerCase()} · ${block!.processCalls}×` : status.toLowerCase()}
                </text>
              )}
              {n.inputs.map((i, k) => (
                <g key={`i${i.name}`} transform={`translate(0,${HEAD_H + k * PORT_H})`}>
                  <circle cx={0} cy={PORT_H / 2} r={3.5} className="tc-port" />
                  <text x={8} y={PORT_H / 2 + 4} className="tc-port-label">
                    {i.name}
                    <title>{`${i.name}: ${i.format}`}</title>
                  </text>
                </g>
              ))}
              {n.outputs.map((o, k) => (
                <g key={`o${o.name}`} transform={`translate(${NODE_W},${HEAD_H + k * PORT_H})`}>
                  <circle cx={0} cy={PORT_H / 2} r={3.5} className="tc-port" />
                  <text x={-8} y={PORT_H / 2 + 4} textAnchor="end" className="tc-port-label">
                    {o.name}
                    <title>{`${o.name}: ${o.format}`}</title>
                  </text>
                </g>
              ))}
            </g>
          );
        })}
      </svg>
      <figcaption className="muted small-text">
        Dashed connections were inferred by input naming (same name and data format); hover a port for its data format. A double arrow is a loop channel
        (requests ⇄ answers).
      </figcaption>
    </figure>
  );
}
