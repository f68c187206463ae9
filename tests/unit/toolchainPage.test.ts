// The toolchain page's pure parts: parameter values typed in the form (checked against the block's
// declared parameters, messages naming block, parameter, value and expectation), plot results as
// uPlot's aligned data, and the diagram layout.
import { describe, expect, it } from 'vitest';
import type { ParameterSpec } from '../../src/core/beat';
import { ndarray } from '../../src/core/ndarray';
import { parseParameter, displayValue } from '../../src/app/toolchains/parameterInput';
import { alignSeries, numbersOf, plotSeries } from '../../src/app/toolchains/plotData';
import { resolveParameters } from '../../src/app/toolchains/BlockParameters';
import { layoutDiagram } from '../../src/app/toolchains/ToolchainDiagram';
import type { ToolchainCheck } from '../../src/api';
import { applyBindings, bindSource, withParameters } from '../../src/app/toolchains/bindings';
import type { ToolchainJson } from '../../src/core/beat';

const spec = (over: Partial<ParameterSpec>): ParameterSpec => ({
  name: 'p',
  type: 'float64',
  default: undefined,
  range: null,
  choice: null,
  description: null,
  ...over,
});

describe('parameter values from the form', () => {
  it('numbers: integers by type and bounds, floats, ranges, choices', () => {
    expect(parseParameter('B', spec({ type: 'uint8' }), '12')).toEqual({ ok: true, value: 12 });
    expect(parseParameter('B', spec({ type: 'uint8' }), '256')).toEqual({ ok: false, error: "block 'B', parameter 'p': 256 is outside uint8 [0, 255]" });
    expect(parseParameter('B', spec({ type: 'int32' }), '1.5')).toEqual({
      ok: false,
      error: "block 'B', parameter 'p': 1.5 is not an integer (expected int32)",
    });
    expect(parseParameter('B', spec({ type: 'float32' }), 'abc')).toEqual({
      ok: false,
      error: "block 'B', parameter 'p': 'abc' is not a number (expected float32)",
    });
    expect(parseParameter('B', spec({ type: 'float64' }), ' ')).toEqual({ ok: false, error: "block 'B', parameter 'p': a float64 value is required" });
    expect(parseParameter('B', spec({ type: 'float64' }), '-2.5e3')).toEqual({ ok: true, value: -2500 });
    expect(parseParameter('B', spec({ type: 'float64', range: [0, 1] }), '1.5')).toEqual({
      ok: false,
      error: "block 'B', parameter 'p': 1.5 is outside the range [0, 1]",
    });
    expect(parseParameter('B', spec({ type: 'int32', choice: [1, 3] }), '2')).toEqual({ ok: false, error: "block 'B', parameter 'p': 2 is not one of 1, 3" });
    expect(parseParameter('B', spec({ type: 'int32', choice: [1, 3] }), '3')).toEqual({ ok: true, value: 3 });
  });

  it('bool and string', () => {
    expect(parseParameter('B', spec({ type: 'bool' }), true)).toEqual({ ok: true, value: true });
    expect(parseParameter('B', spec({ type: 'bool' }), 'yes')).toEqual({ ok: false, error: "block 'B', parameter 'p': expected true or false, got \"yes\"" });
    expect(parseParameter('B', spec({ type: 'string', choice: ['a', 'b'] }), 'c')).toEqual({
      ok: false,
      error: 'block \'B\', parameter \'p\': "c" is not one of "a", "b"',
    });
    expect(displayValue(spec({ type: 'bool', default: true }), undefined)).toBe(true);
    expect(displayValue(spec({ type: 'uint32', default: 5 }), 7)).toBe('7');
    expect(displayValue(spec({ type: 'uint32' }), undefined)).toBe('');
  });

  it('edits apply over the toolchain values; invalid ones are listed and not applied', () => {
    const blocks = [
      { name: 'T', parameters: [spec({ name: 'threshold' }), spec({ name: 'n', type: 'uint32', default: 5 })], values: { threshold: 700 } },
    ] as unknown as ToolchainCheck['blocks'];
    expect(resolveParameters(blocks, {})).toEqual({ values: { T: { threshold: 700 } }, errors: [] });
    expect(resolveParameters(blocks, { T: { threshold: '400', n: '3' } })).toEqual({ values: { T: { threshold: 400, n: 3 } }, errors: [] });
    expect(resolveParameters(blocks, { T: { n: '-1' } })).toEqual({
      values: { T: { threshold: 700 } },
      errors: ["block 'T', parameter 'n': -1 is outside uint32 [0, 4294967295]"],
    });
  });
});

describe('plot results', () => {
  it('reads series from NDArrays, typed arrays and plain arrays; refuses anything else', () => {
    expect(numbersOf(ndarray('float64', [3], [1, 2, 3]))).toEqual([1, 2, 3]);
    expect(numbersOf({ dtype: 'int32', shape: [2], data: new Int32Array([4, 5]) })).toEqual([4, 5]);
    expect(numbersOf([1, 'a'])).toBeNull();
    expect(plotSeries({ data: [{ label: 'dice', x: [0, 1], y: new Float32Array([0.5, 0.25]) }] })).toEqual([{ label: 'dice', x: [0, 1], y: [0.5, 0.25] }]);
    expect(plotSeries({ data: [{ label: 'bad', x: [0, 1], y: [1] }] })).toBeNull();
    expect(plotSeries({ nope: 1 })).toBeNull();
  });

  it('aligns series on the union of x, keeping repeated x values as extra columns', () => {
    const a = alignSeries([
      { label: 'a', x: [2, 0], y: [20, 0] },
      { label: 'b', x: [1, 1, 2], y: [10, 11, 21] },
    ]);
    expect(a.x).toEqual([0, 1, 2]);
    expect(a.columns).toEqual([
      { label: 'a', series: 0, y: [0, null, 20] },
      { label: 'b', series: 1, y: [null, 10, 21] },
      { label: 'b', series: 1, y: [null, 11, null] },
    ]);
  });
});

describe('diagram layout', () => {
  it('sources in column 0, blocks by depth; one edge per input from its output port', () => {
    const check = {
      name: null,
      description: null,
      sources: [{ name: 's', format: 'system/int32/1', kind: 'values', units: 2, ranges: null }],
      blocks: [
        {
          name: 'A',
          algorithm: 'a',
          depth: 1,
          isAnalyzer: false,
          inputs: [{ name: 'x', format: 'f', from: 's', inferred: true }],
          outputs: [{ name: 'y', format: 'f' }],
          results: [],
        },
        { name: 'B', algorithm: 'b', depth: 2, isAnalyzer: true, inputs: [{ name: 'y', format: 'f', from: 'A.y', inferred: false }], outputs: [], results: [] },
      ],
    } as unknown as ToolchainCheck;
    const { nodes, edges } = layoutDiagram(check);
    expect(nodes.map((n) => [n.title, n.x])).toEqual([
      ['s', 16],
      ['A', 16 + 290],
      ['B', 16 + 2 * 290],
    ]);
    expect(edges.map((e) => [e.key, e.inferred, e.from.x, e.to.x])).toEqual([
      ['s->A.x', true, 216, 306],
      ['A.y->B.y', false, 506, 596],
    ]);
  });
});

describe('diagram layout: loops', () => {
  it('the two blocks of a loop share a column, joined by one loop link labelled with its formats', () => {
    const loop = (role: string, partner: string) => ({ name: 'L', role, partner, request: 'system/int32/1', answer: 'system/float/1' });
    const check = {
      name: null,
      description: null,
      sources: [{ name: 's', format: 'system/int32/1', kind: 'values', units: 9, ranges: null }],
      blocks: [
        {
          name: 'P',
          algorithm: 'p',
          depth: 1,
          isAnalyzer: false,
          inputs: [{ name: 'x', format: 'f', from: 's', inferred: false }],
          outputs: [{ name: 'y', format: 'f' }],
          results: [],
          loop: loop('processor', 'E'),
        },
        {
          name: 'E',
          algorithm: 'e',
          depth: 1,
          isAnalyzer: false,
          inputs: [{ name: 'x', format: 'f', from: 's', inferred: false }],
          outputs: [],
          results: [],
          loop: loop('evaluator', 'P'),
        },
      ],
    } as unknown as ToolchainCheck;
    const { nodes, loops } = layoutDiagram(check);
    const [p, e] = [nodes.find((n) => n.title === 'P')!, nodes.find((n) => n.title === 'E')!];
    expect(p.x).toBe(e.x);
    expect(p.subtitle).toBe('loop processor · p');
    expect(loops).toEqual([{ key: 'loop:L', from: { x: p.x + 100, y: p.y + p.h }, to: { x: e.x + 100, y: e.y }, label: 'loop L: int32 ⇄ float' }]);
  });
});

describe('format files', () => {
  it('files and typed text merge into one set; problems name the file', async () => {
    const { readFormatFiles } = await import('../../src/app/toolchains/formatFiles');
    const file = (name: string, text: string) => ({ name, text: async () => text });
    expect(await readFormatFiles([file('a.json', '{"user/a/1": {"x": "int8"}}')], '{"user/b/1": {"y": "bool"}}')).toEqual({
      'user/a/1': { x: 'int8' },
      'user/b/1': { y: 'bool' },
    });
    await expect(readFormatFiles([file('bad.json', '{')], '')).rejects.toThrow(/^bad\.json: not JSON/);
    await expect(readFormatFiles([file('list.json', '[]')], '')).rejects.toThrow(
      'list.json: expected an object { "<user>/<name>/<version>": { "field": "type", … }, … }',
    );
    await expect(readFormatFiles([], ' ')).rejects.toThrow('Choose format files (.json) or type the formats.');
  });
});

describe('runner block arguments', () => {
  it("start from the toolchain's values over the bundle's defaults; problems name the block and the parameter", async () => {
    const { parseManifest } = await import('../../src/core/manifest');
    const { runnerArgs, runnerDrafts } = await import('../../src/app/toolchains/runnerArgs');
    const m = parseManifest(`[project]
name = "r"
version = "1.0.0"
[tool.compox]
algorithm_type = "Image2Segmentation"
tags = []
description = "d"
supported_devices = ["cpu"]
default_device = "cpu"
additional_parameters = [
  {name = "method", description = "m", config = {type = "string_enum", default = "otsu", options = ["otsu", "li"], adjustable = true}},
  {name = "size", description = "s", config = {type = "int_range", default = 3, min = 1, max = 9, step = 2, adjustable = true}},
]
`);
    const params = m.manifest!.additionalParameters;
    const drafts = runnerDrafts(params, { method: 'li' });
    expect(runnerArgs('T', params, drafts)).toEqual({ args: { method: 'li', size: 3 }, errors: {}, problems: [] });
    const bad = runnerArgs('T', params, { ...drafts, size: '12' });
    expect(bad.problems).toHaveLength(1);
    expect(bad.problems[0]).toMatch(/^block 'T', parameter 'size': /);
    expect(bad.args).toEqual({ method: 'li' });
  });
});

describe('sources bound on the page', () => {
  const t: ToolchainJson = {
    name: 'seg',
    sources: [
      {
        name: 'images',
        datasetIds: ['a', 'b'],
        field: 'image',
        format: 'system/array_2d_uint16/1',
        ranges: [
          [0, 0],
          [1, 1],
        ],
      },
      { name: 'ground_truth', stackId: 's', field: 'mask', format: 'system/array_2d_uint8/1' },
    ],
    blocks: [
      { name: 'threshold', algorithm: 'builtin/threshold/1', parameters: { threshold: 700 } },
      { name: 'evaluation', algorithm: 'builtin/segmentation_eval/1' },
    ],
  };

  it('a binding replaces what the source read (datasets, stack or values, ranges and field); the others are kept', () => {
    const b = bindSource(t, 'images', { kind: 'stack', id: 'mine', field: 'image' });
    expect(b.sources[0]).toEqual({ name: 'images', stackId: 'mine', field: 'image', format: 'system/array_2d_uint16/1' });
    expect(b.sources[1]).toBe(t.sources[1]);
    expect(bindSource(t, 'ground_truth', { kind: 'dataset', id: 'gt1', field: null }).sources[1]).toEqual({
      name: 'ground_truth',
      datasetIds: ['gt1'],
      format: 'system/array_2d_uint8/1',
    });
    const both = applyBindings(t, { images: { kind: 'dataset', id: 'x', field: 'image' }, ground_truth: { kind: 'stack', id: 'y', field: 'image' } });
    expect(both.sources.map((s) => [s.datasetIds, s.stackId, s.field])).toEqual([
      [['x'], undefined, 'image'],
      [undefined, 'y', 'image'],
    ]);
    expect(t.sources[0]!.datasetIds).toEqual(['a', 'b']); // not changed in place
  });

  it('the parameters set on the page are written into every block (a block without any keeps its own)', () => {
    const p = withParameters(t, { threshold: { threshold: 400 } });
    expect(p.blocks.map((b) => b.parameters)).toEqual([{ threshold: 400 }, {}]);
    expect(t.blocks[0]!.parameters).toEqual({ threshold: 700 });
  });
});
