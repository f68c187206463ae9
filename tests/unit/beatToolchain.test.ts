// Toolchains (src/core/beat/toolchain.ts): schema, Input naming inference, format checks,
// topological order, running with a failing block, and split runs through a concurrent executor.
import { describe, expect, it } from 'vitest';
import {
  BeatError,
  inProcessExecutor,
  parseDeclaration,
  planToolchain,
  runToolchain,
  sourceStream,
  type AlgorithmClass,
  type AlgorithmDeclaration,
  type BlockExecutor,
  type InputList,
  type OutputList,
  type ToolchainJson,
} from '../../src/core/beat';
import { ndarray, type NDArray } from '../../src/core/ndarray';

const INT = 'system/int32/1';
const IMG = 'system/array_2d_uint8/1';
type V = { value: number };
const val = (inputs: InputList, name: string): number => (inputs.get(name)!.data as V).value;

function thrownToolchain(f: () => unknown): BeatError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(BeatError);
    expect((e as BeatError).code).toBe('E_TOOLCHAIN');
    return e as BeatError;
  }
  throw new Error('expected a BeatError');
}

const decl = (inputs: Record<string, string>, outputs: Record<string, string>, extra: Record<string, unknown> = {}): AlgorithmDeclaration =>
  parseDeclaration({
    language: 'javascript',
    groups: [
      {
        inputs: Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, { type: t }])),
        outputs: Object.fromEntries(Object.entries(outputs).map(([k, t]) => [k, { type: t }])),
      },
    ],
    ...extra,
  });

class BlockA {
  process(inputs: InputList, outputs: OutputList): boolean {
    const img = (inputs.get('images')!.data as { value: NDArray }).value;
    outputs.get('features')!.write({ value: img.data[0]! * 10 + val(inputs, 'labels') });
    return true;
  }
}
class BlockB {
  process(inputs: InputList, outputs: OutputList): boolean {
    outputs.get('count')!.write({ value: val(inputs, 'labels') * 100 });
    return true;
  }
}
class Fails {
  process(): boolean {
    throw new Error('boom');
  }
}
class Sum {
  process(inputs: InputList, outputs: OutputList): boolean {
    outputs.get('sum')!.write({ value: val(inputs, 'features') + val(inputs, 'count') });
    return true;
  }
}

const ALGORITHMS: Record<string, { declaration: AlgorithmDeclaration; algorithm: AlgorithmClass }> = {
  a: { declaration: decl({ images: IMG, labels: INT }, { features: INT }), algorithm: BlockA },
  b: { declaration: decl({ labels: INT }, { count: INT }), algorithm: BlockB },
  c: { declaration: decl({ features: INT, count: INT }, { sum: INT }), algorithm: Sum },
  fails: { declaration: decl({ labels: INT }, { count: INT }), algorithm: Fails },
};
const declarationOf = (name: string): AlgorithmDeclaration | null => ALGORITHMS[name]?.declaration ?? null;
const execute = inProcessExecutor((name) => ALGORITHMS[name]!.algorithm);

const images = Array.from({ length: 6 }, (_, k) => ({ value: ndarray('uint8', [1, 1], [k]) }));
const labels = [{ value: 7 }, { value: 9 }];

const FIG3: ToolchainJson & { sources: ToolchainJson['sources'] } = {
  name: 'Fig. 3',
  sources: [
    { name: 'images', datasetIds: ['i0', 'i1', 'i2', 'i3', 'i4', 'i5'], format: IMG },
    {
      name: 'labels',
      datasetIds: ['l0', 'l1'],
      format: INT,
      ranges: [
        [0, 2],
        [3, 5],
      ],
    },
  ],
  blocks: [
    { name: 'A', algorithm: 'a' },
    { name: 'B', algorithm: 'b' },
  ],
};

function fig3Sources(): Record<string, ReturnType<typeof sourceStream>> {
  return { images: sourceStream(FIG3.sources[0]!, images), labels: sourceStream(FIG3.sources[1]!, labels) };
}

describe('toolchain JSON', () => {
  it('names the field of every schema problem', () => {
    const e = thrownToolchain(() =>
      planToolchain(
        { sources: [{ name: 'x', format: 'bad', datasetIds: [] }], blocks: [{ name: '1b', algorithm: 'a' }], connections: [{ from: 'x', to: 'nodot' }] },
        declarationOf,
      ),
    );
    expect(e.details.join('\n')).toMatch(/sources\[0\]\.format/);
    expect(e.details.join('\n')).toMatch(/sources\[0\]\.datasetIds/);
    expect(e.details.join('\n')).toMatch(/blocks\[0\]\.name/);
    expect(e.details.join('\n')).toMatch(/connections\[0\]\.to: expected <block>\.<input>/);
  });

  it('refuses both or neither of datasetIds/stackId, duplicate names, overlapping ranges and unknown algorithms', () => {
    expect(
      thrownToolchain(() => planToolchain({ sources: [{ name: 's', format: INT }], blocks: [{ name: 'B', algorithm: 'b' }] }, declarationOf)).message,
    ).toMatch(/exactly one of datasetIds, stackId and values/);
    const e = thrownToolchain(() =>
      planToolchain(
        {
          sources: [
            {
              name: 'labels',
              datasetIds: ['a', 'b'],
              format: INT,
              ranges: [
                [0, 2],
                [2, 4],
              ],
            },
          ],
          blocks: [
            { name: 'labels', algorithm: 'b' },
            { name: 'C', algorithm: 'nope' },
          ],
        },
        declarationOf,
      ),
    );
    expect(e.details).toEqual([
      "sources[0].ranges[1]: starts at 2, not after the previous range's end 2",
      "blocks[0].name: 'labels' is already used by sources[0]",
    ]);
    expect(thrownToolchain(() => planToolchain({ ...FIG3, blocks: [{ name: 'C', algorithm: 'nope' }] }, declarationOf)).details).toEqual([
      "blocks[0].algorithm: no installed block 'nope'",
    ]);
  });

  it('one label spans three images through ranges', () => {
    expect(sourceStream(FIG3.sources[1]!, labels).map((u) => [u.start, u.end])).toEqual([
      [0, 2],
      [3, 5],
    ]);
    expect(() => sourceStream(FIG3.sources[1]!, [1, 2, 3])).toThrow(/2 ranges for 3 items/);
  });
});

describe('connections', () => {
  it('infers inputs by name and format (Input naming) and orders blocks topologically', () => {
    const plan = planToolchain({ ...FIG3, blocks: [{ name: 'C', algorithm: 'c' }, ...FIG3.blocks] }, declarationOf);
    expect(plan.blocks.map((b) => b.name)).toEqual(['A', 'B', 'C']);
    const c = plan.blocks[2]!;
    expect(c.inputs).toEqual({
      features: { kind: 'block', block: 'A', output: 'features', format: INT },
      count: { kind: 'block', block: 'B', output: 'count', format: INT },
    });
    expect(c.dependsOn).toEqual(['A', 'B']);
    expect(plan.blocks[0]!.inputs.labels).toEqual({ kind: 'source', source: 'labels', format: INT });
  });

  it('ambiguity is an error asking to connect by hand, naming the input and the candidates', () => {
    const t = {
      ...FIG3,
      sources: [FIG3.sources[0]!, { ...FIG3.sources[1]!, name: 'classes' }, { ...FIG3.sources[1]!, name: 'ids' }],
      blocks: [{ name: 'B', algorithm: 'b' }],
    };
    const e = thrownToolchain(() => planToolchain(t, declarationOf));
    expect(e.details).toEqual(["input 'B.labels' (system/int32/1) is ambiguous between source 'classes', source 'ids'; connect it by hand"]);
    const plan = planToolchain({ ...t, connections: [{ from: 'ids', to: 'B.labels' }] }, declarationOf);
    expect(plan.blocks[0]!.inputs.labels).toMatchObject({ kind: 'source', source: 'ids' });
    expect(plan.blocks[0]!.inferred).toEqual({ labels: false });
  });

  it('a missing input and a format mismatch are errors naming the connection', () => {
    const e = thrownToolchain(() =>
      planToolchain(
        {
          sources: [FIG3.sources[1]!],
          blocks: [{ name: 'A', algorithm: 'a' }],
          connections: [
            { from: 'labels', to: 'A.images' },
            { from: 'X.y', to: 'A.nope' },
          ],
        },
        declarationOf,
      ),
    );
    expect(e.details).toEqual([
      "connections[0]: source 'labels' is system/int32/1 but input 'A.images' expects system/array_2d_uint8/1",
      "connections[1].to: block 'A' has no input 'nope' (inputs: images, labels)",
      "input 'A.images' (system/array_2d_uint8/1): no source or block output of this format; connect it by hand",
    ]);
  });

  it('refuses a cycle, naming its blocks', () => {
    const t = {
      sources: [{ name: 's', stackId: 'st', format: IMG }],
      blocks: [
        { name: 'C1', algorithm: 'c' },
        { name: 'C2', algorithm: 'c' },
      ],
      connections: [
        { from: 'C2.sum', to: 'C1.features' },
        { from: 'C2.sum', to: 'C1.count' },
        { from: 'C1.sum', to: 'C2.features' },
        { from: 'C1.sum', to: 'C2.count' },
      ],
    };
    expect(thrownToolchain(() => planToolchain(t, declarationOf)).message).toBe("invalid toolchain: the blocks 'C1', 'C2' form a cycle");
  });
});

describe('running', () => {
  it("Fig. 3: A's process runs 6 times, B's 2 times; C reads both", async () => {
    const plan = planToolchain({ ...FIG3, blocks: [...FIG3.blocks, { name: 'C', algorithm: 'c' }] }, declarationOf);
    const progress: string[] = [];
    const r = await runToolchain(plan, { sources: fig3Sources(), execute, onProgress: (b, rep) => progress.push(`${b}:${rep.status}`) });
    expect(r.status).toBe('DONE');
    expect([r.blocks.A!.processCalls, r.blocks.B!.processCalls, r.blocks.C!.processCalls]).toEqual([6, 2, 6]);
    expect(r.blocks.B!.outputs.count!.map((u) => [u.data.value, u.start, u.end])).toEqual([
      [700, 0, 2],
      [900, 3, 5],
    ]);
    expect(r.blocks.C!.outputs.sum!.map((u) => u.data.value)).toEqual([707, 717, 727, 939, 949, 959]);
    expect(progress).toContain('A:RUNNING');
    expect(progress.filter((p) => p.endsWith(':DONE'))).toHaveLength(3);
    expect(progress.indexOf('C:RUNNING')).toBeGreaterThan(progress.indexOf('B:DONE'));
  });

  it('a failing block stops its dependants, which name it', async () => {
    const plan = planToolchain(
      {
        ...FIG3,
        blocks: [...FIG3.blocks.slice(0, 1), { name: 'B', algorithm: 'fails' }, { name: 'C', algorithm: 'c' }, { name: 'D', algorithm: 'c' }],
        connections: [
          { from: 'C.sum', to: 'D.features' },
          { from: 'B.count', to: 'D.count' },
        ],
      },
      declarationOf,
    );
    const r = await runToolchain(plan, { sources: fig3Sources(), execute });
    expect(r.status).toBe('FAILED');
    expect(r.blocks.A!.status).toBe('DONE');
    expect(r.blocks.B!.status).toBe('FAILED');
    expect(r.blocks.B!.error).toMatchObject({ block: 'B', code: 'E_USER', message: "block 'B' failed (process): boom" });
    expect(r.blocks.C!).toMatchObject({ status: 'SKIPPED', processCalls: 0, error: { block: 'B', message: "not run: block 'B' failed" } });
    expect(r.blocks.D!.status).toBe('SKIPPED');
    expect(r.blocks.D!.error!.block).toBe('B');
  });

  it('splittable blocks split across a concurrent executor give the unsplit results, in index order', async () => {
    const splitDecl = decl({ images: IMG, labels: INT }, { features: INT }, { splittable: true });
    const algorithms = { s: { declaration: splitDecl, algorithm: BlockA } };
    const calls: ([number, number] | null)[] = [];
    const inner = inProcessExecutor(() => BlockA);
    // Parts finish in reverse order (later ranges first) to check the merge keeps index order.
    const concurrent: BlockExecutor = async (job) => {
      calls.push(job.range);
      await new Promise((r) => setTimeout(r, job.range ? 30 - job.range[0] * 5 : 0));
      return inner(job, {});
    };
    const t = { ...FIG3, blocks: [{ name: 'S', algorithm: 's' }] };
    const plan = planToolchain(t, (n) => algorithms[n as 's']?.declaration ?? null);
    const unsplit = await runToolchain(plan, { sources: fig3Sources(), execute: concurrent });
    const split = await runToolchain(plan, { sources: fig3Sources(), execute: concurrent, parts: 4 });
    expect(split.status).toBe('DONE');
    expect(split.blocks.S!.ranges).toEqual([
      [0, 2],
      [3, 5],
    ]);
    expect(calls).toEqual([null, [0, 2], [3, 5]]);
    expect(split.blocks.S!.outputs).toEqual(unsplit.blocks.S!.outputs);
    expect(split.blocks.S!.processCalls).toBe(6);
    expect(split.blocks.S!.outputs.features!.map((u) => u.start)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
