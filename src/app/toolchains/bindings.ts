// A toolchain's sources bound to the user's data on the page: the binding a person picks (a stack or
// one dataset, and the field that feeds the source) written into the toolchain JSON, and the block
// parameters set on the page written into it too: what runs, is saved, and "Edit as JSON" shows. Pure.
import type { ToolchainJson } from '../../core/beat';

/** A source's binding picked on the page. */
export interface PickedBinding {
  kind: 'stack' | 'dataset';
  id: string;
  field: string | null;
}

/** The toolchain with `source` reading `b` (its datasets/stack/values and ranges replaced). */
export function bindSource(t: ToolchainJson, source: string, b: PickedBinding): ToolchainJson {
  return {
    ...t,
    sources: t.sources.map((s) => {
      if (s.name !== source) return s;
      const { datasetIds: _d, stackId: _s, values: _v, ranges: _r, field: _f, ...rest } = s;
      return { ...rest, ...(b.kind === 'stack' ? { stackId: b.id } : { datasetIds: [b.id] }), ...(b.field ? { field: b.field } : {}) };
    }),
  };
}

/** Every picked binding applied, in source order. */
export function applyBindings(t: ToolchainJson, picked: Readonly<Record<string, PickedBinding>>): ToolchainJson {
  return Object.entries(picked).reduce((acc, [source, b]) => bindSource(acc, source, b), t);
}

/** The toolchain with each block's parameters as set on the page (a block with none keeps its own). */
export function withParameters(t: ToolchainJson, values: Readonly<Record<string, Record<string, unknown>>>): ToolchainJson {
  return { ...t, blocks: t.blocks.map((b) => ({ ...b, parameters: values[b.name] ?? b.parameters ?? {} })) };
}

/** The select value of a binding: 'stack:<id>', 'dataset:<id>'. */
export const bindingKey = (kind: 'stack' | 'dataset', id: string): string => `${kind}:${id}`;
