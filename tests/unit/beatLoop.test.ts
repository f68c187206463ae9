// Loop algorithms (issue 12 §2; reference §2.1 loop groups, §2.2, §8 loop channel): declarations of
// loop processors and evaluators, the request/answer cycle (hypothesis → request format → evaluator
// validate → [bool, answer] → answer format → processor), the evaluator's read/write, signature
// mismatches, failures on either side, toolchain loops (planning rules, runs) and the loop/1 case
// ({sum: 504, nb: 9}).
import { describe, expect, it } from 'vitest';
import {
  checkDeclaration,
  executeBlock,
  executeLoopPair,
  inProcessExecutor,
  inProcessLoopExecutor,
  parameterNames,
  parseDeclaration,
  planToolchain,
  runToolchain,
  type AlgorithmClass,
  type AlgorithmDeclaration,
  type LoopEvaluatorClass,
} from '../../src/core/beat';

const INT = 'system/int32/1';
const loopEntry = { request: { type: INT }, answer: { type: 'system/float/1' } };
const PROCESSOR = {
  language: 'javascript',
  api_version: 2,
  type: 'sequential_loop_processor',
  groups: [{ name: 'main', inputs: { in_loop: { type: INT } }, outputs: { out: { type: INT } }, loop: loopEntry }],
};
const EVALUATOR = {
  language: 'javascript',
  api_version: 2,
  type: 'sequential_loop_evaluator',
  groups: [{ name: 'main', inputs: { in: { type: INT } }, outputs: { requests: { type: INT } }, loop: loopEntry }],
  parameters: { threshold: { type: 'int32', default: 50 } },
};
const SUM = {
  language: 'javascript',
  api_version: 2,
  groups: [{ inputs: { in: { type: INT } } }],
  results: { sum: { type: 'int32', display: true }, nb: { type: 'int32', display: true } },
};

/** The built-in pair's logic (src/blocks/loopProcessor.block.js, loopEvaluator.block.js). */
class Processor {
  async process(inputs: any, _dataLoaders: any, outputs: any, loopChannel: any) {
    const x = inputs.get('in_loop').data.value;
    let h = 0;
    for (;;) {
      const [valid, answer] = await loopChannel.validate({ value: h });
      if (valid) break;
      h += Math.max(1, Math.floor(answer.value / 2));
    }
    outputs.get('out').write({ value: x + h });
    return true;
  }
}
class Evaluator {
  threshold = 0;
  requests = 0;
  seen: number[] = [];
  setup(p: any) {
    this.threshold = p.threshold;
    return true;
  }
  read(inputs: any) {
    this.requests = 0;
    this.seen.push(inputs.get('in').data.value);
    return true;
  }
  validate(request: any) {
    this.requests += 1;
    return [request.value > this.threshold, { value: this.threshold - request.value }];
  }
  write(outputs: any, name: string, end: number) {
    outputs.get('requests').write({ value: this.requests }, end);
    return true;
  }
}
class Sum {
  sum = 0;
  nb = 0;
  process(inputs: any, _l: any, output: any) {
    this.sum += inputs.get('in').data.value;
    this.nb += 1;
    if (!inputs.hasMoreData()) output.write({ sum: this.sum, nb: this.nb });
    return true;
  }
}

const ints = (values: number[]) => values.map((value, k) => ({ data: { value }, start: k, end: k }));
const ONE_TO_NINE = [1, 2, 3, 4, 5, 6, 7, 8, 9];
const values = (units: { data: unknown }[] | undefined) => (units ?? []).map((u) => (u.data as { value: number }).value);
const pair = (p: unknown, e: unknown, extra: { processor?: object; evaluator?: object } = {}) =>
  executeLoopPair(
    { declaration: PROCESSOR, algorithm: p as AlgorithmClass, name: 'user/proc/1', inputs: { in_loop: ints([1, 2]) }, ...extra.processor },
    { declaration: EVALUATOR, algorithm: e as LoopEvaluatorClass, name: 'user/eval/1', inputs: { in: ints([1, 2]) }, ...extra.evaluator },
  );

describe('loop declarations', () => {
  it('processor and evaluator: role, declared type, base runtime type, request and answer formats', () => {
    const p = parseDeclaration(PROCESSOR);
    expect(p).toMatchObject({
      type: 'sequential',
      isSequential: true,
      loop: { role: 'processor', declaredType: 'sequential_loop_processor', request: INT, answer: 'system/float/1' },
    });
    const e = parseDeclaration(EVALUATOR);
    expect(e.loop).toEqual({ role: 'evaluator', declaredType: 'sequential_loop_evaluator', request: INT, answer: 'system/float/1' });
    // 1.6's loop_user / loop are autonomous; an evaluator needs no outputs.
    const user = parseDeclaration({ ...PROCESSOR, type: 'loop_user' });
    expect([user.type, user.loop!.role]).toEqual(['autonomous', 'processor']);
    const loop = parseDeclaration({ ...EVALUATOR, type: 'loop', groups: [{ inputs: { in: { type: INT } }, loop: loopEntry }] });
    expect([loop.type, loop.loop!.role, loop.outputMap]).toEqual(['autonomous', 'evaluator', {}]);
    expect(parseDeclaration({ ...PROCESSOR, type: 'autonomous_loop_processor' }).type).toBe('autonomous');
    expect(parseDeclaration({ ...PROCESSOR, type: 'sequential', groups: [{ inputs: {}, outputs: {} }] }).loop).toBeNull();
  });

  it('every problem of a loop declaration is named', () => {
    const errors = (json: unknown, opts = {}) => checkDeclaration(json, opts).errors;
    expect(errors({ ...PROCESSOR, groups: [{ inputs: {}, outputs: {} }] })).toEqual([
      'groups[0].loop: a sequential_loop_processor algorithm declares its loop in the first group: { "request": { "type": … }, "answer": { "type": … } }',
    ]);
    expect(errors({ ...PROCESSOR, type: 'sequential' })).toEqual([
      'groups[0].loop: only loop algorithms (api_version 2, type loop_user, loop, sequential_loop_processor, autonomous_loop_processor, sequential_loop_evaluator, autonomous_loop_evaluator) declare a loop, this one is sequential',
    ]);
    expect(errors({ ...PROCESSOR, api_version: 1 })[0]).toMatch(/this one is legacy \(api_version 1\)/);
    expect(errors({ ...PROCESSOR, splittable: true })).toEqual([
      'splittable: a loop algorithm cannot be split (its pair exchanges requests over one whole run)',
    ]);
    expect(errors({ ...EVALUATOR, groups: [...EVALUATOR.groups, { inputs: { b: { type: INT } }, loop: loopEntry }] })).toEqual([
      'groups[1].loop: the loop may only be declared in the first group',
    ]);
    expect(errors({ ...EVALUATOR, results: { x: { type: 'int32' } }, groups: [{ inputs: { in: { type: INT } }, loop: loopEntry }] })).toContain(
      'results: a loop algorithm cannot be an analyzer',
    );
    expect(
      errors(
        { ...PROCESSOR, groups: [{ ...PROCESSOR.groups[0], loop: { request: { type: 'user/hyp/1' }, answer: { type: 'system/float/1' } } }] },
        {
          dataFormats: new (class {
            get(name: string) {
              if (name === 'user/hyp/1') throw new Error(`unknown data format '${name}'`);
              return {};
            }
          })() as never,
        },
      ),
    ).toEqual(["loop request: unknown data format 'user/hyp/1'"]);
    expect(errors({ ...PROCESSOR, groups: [{ ...PROCESSOR.groups[0], loop: { request: { type: INT } } }] })).toEqual([
      'groups[0].loop.answer: Invalid input: expected object, received undefined',
    ]);
  });
});

describe('the request/answer cycle (executeLoopPair)', () => {
  it('the processor searches, the evaluator answers; read follows the synchronization group, write the processor writes', async () => {
    const runs = await executeLoopPair(
      { declaration: PROCESSOR, algorithm: Processor as unknown as AlgorithmClass, name: 'user/proc/1', inputs: { in_loop: ints(ONE_TO_NINE) } },
      { declaration: EVALUATOR, algorithm: Evaluator as unknown as LoopEvaluatorClass, name: 'user/eval/1', inputs: { in: ints(ONE_TO_NINE) } },
    );
    expect(runs.processor.error).toBeNull();
    expect(runs.evaluator.error).toBeNull();
    expect(values(runs.processor.outputs.out)).toEqual(ONE_TO_NINE.map((x) => x + 51));
    // h = 0, 25, 37, 43, 46, 48, 49, 50, 51: nine requests per unit, written at each unit's index.
    expect(values(runs.evaluator.outputs.requests)).toEqual(ONE_TO_NINE.map(() => 9));
    expect(runs.evaluator.outputs.requests!.map((u) => [u.start, u.end])).toEqual(ONE_TO_NINE.map((_, k) => [k, k]));
    expect(runs.evaluator.processCalls).toBe(81);
    expect(runs.processor.processCalls).toBe(9);
  });

  it('the threshold parameter changes the answers', async () => {
    const runs = await pair(Processor, Evaluator, { evaluator: { parameters: { threshold: 3 } } });
    expect(values(runs.processor.outputs.out)).toEqual([1 + 4, 2 + 4]);
  });

  it('answers arrive converted to the answer format; requests are converted to the request format', async () => {
    const seen: unknown[] = [];
    const P = class {
      async process(inputs: any, _l: any, outputs: any, loopChannel: any) {
        const [valid, answer] = await loopChannel.validate({ value: 7 });
        seen.push([valid, answer]);
        outputs.get('out').write({ value: 0 });
        return true;
      }
    };
    const E = class {
      validate(request: any) {
        seen.push(request);
        return [false, { value: 2 }];
      }
    };
    const runs = await pair(P, E);
    expect(runs.processor.ok).toBe(true);
    expect(seen).toEqual([{ value: 7 }, [false, { value: 2 }], { value: 7 }, [false, { value: 2 }]]);
  });

  it('a hypothesis that is not of the request format fails the processor, naming the format and field', async () => {
    const P = class {
      async process(_i: any, _l: any, _o: any, loopChannel: any) {
        await loopChannel.validate({ value: 1.5 });
        return true;
      }
    };
    const runs = await pair(P, Evaluator);
    expect(runs.processor.error).toMatchObject({
      code: 'E_FORMAT_CAST',
      stage: 'process',
      message: "loopChannel.validate(): the hypothesis is not system/int32/1: field 'value': expected int32, got 1.5",
    });
    expect(runs.evaluator.processCalls).toBe(0);
  });

  it.each([
    ['true', true, 'validate() must return a pair [isValid (boolean), answer (an object of the answer format)], got boolean'],
    [
      '[1, {…}]',
      [1, { value: 0 }],
      'validate() must return a pair [isValid (boolean), answer (an object of the answer format)], got an array of 2 items whose first is number',
    ],
    ["[true, { value: 'x' }]", [true, { value: 'x' }], 'the answer is not system/float/1: field \'value\': expected float64, got string "x"'],
  ] as [string, unknown, string][])('an evaluator replying %s fails both sides with the reason', async (_label, reply, reason) => {
    const E = class {
      validate() {
        return reply;
      }
    };
    const runs = await pair(Processor, E);
    expect(runs.evaluator.ok).toBe(false);
    expect(runs.evaluator.error!.code).toBe('E_LOOP');
    expect(runs.evaluator.error!.message).toBe(`loop evaluator \`user/eval/1': ${reason}`);
    expect(runs.processor.ok).toBe(false);
    expect(runs.processor.error).toMatchObject({ code: 'E_LOOP', message: `loop evaluator \`user/eval/1': ${reason}` });
  });

  it("an evaluator whose setup fails fails the processor's first request, naming the evaluator and the stage", async () => {
    const E = class {
      setup() {
        return false;
      }
      validate() {
        return [true, { value: 0 }];
      }
    };
    const runs = await pair(Processor, E);
    expect(runs.evaluator.error).toMatchObject({ code: 'E_SETUP_FALSE', stage: 'setup' });
    expect(runs.processor.error).toMatchObject({
      code: 'E_LOOP',
      message: "the loop evaluator `user/eval/1' failed (setup): Could not setup algorithm (returned False)",
    });
  });

  it('an evaluator throwing a non-Error value keeps it', async () => {
    const E = class {
      validate() {
        throw { code: 7 };
      }
    };
    const runs = await pair(Processor, E);
    expect(runs.evaluator.error!.message).toBe('Uncaught object {"code":7}');
    expect(runs.processor.error!.message).toContain('Uncaught object {"code":7}');
  });

  it("an autonomous evaluator (1.6's `loop`) gets every data loader in prepare, its main one included; an autonomous processor the secondaries", async () => {
    const seen: Record<string, unknown> = {};
    const E = class {
      prepare(loaders: any) {
        seen.evaluator = [loaders.length, loaders.mainLoader?.channel ?? null, loaders.loaderOf('in')?.count() ?? null];
        return true;
      }
      validate(r: any) {
        return [r.value > 0, { value: 0 }];
      }
    };
    const P = class {
      prepare(loaders: any) {
        seen.processor = [loaders.length, loaders.mainLoader];
        return true;
      }
      async process(loaders: any, outputs: any, loopChannel: any) {
        const loader = loaders.loaderOf('in_loop');
        for (let i = 0; i < loader.count(); i++) {
          const [data, , end] = loader.get(i);
          const [ok] = await loopChannel.validate({ value: data.in_loop.value });
          outputs.get('out').write({ value: ok ? 1 : 0 }, end);
        }
        return true;
      }
    };
    const runs = await executeLoopPair(
      { declaration: { ...PROCESSOR, type: 'loop_user' }, algorithm: P as unknown as AlgorithmClass, name: 'user/proc/1', inputs: { in_loop: ints([0, 2]) } },
      {
        declaration: { ...EVALUATOR, type: 'loop', groups: [{ name: 'main', inputs: { in: { type: INT } }, loop: loopEntry }] },
        algorithm: E as unknown as LoopEvaluatorClass,
        name: 'user/eval/1',
        inputs: { in: ints([0, 2]) },
      },
    );
    expect(runs.processor.error).toBeNull();
    expect(values(runs.processor.outputs.out)).toEqual([0, 1]);
    expect(seen).toEqual({ evaluator: [1, 'main', 2], processor: [0, null] });
  });

  it('an evaluator without validate() is refused', async () => {
    const runs = await pair(Processor, class {});
    expect(runs.evaluator.error).toMatchObject({ code: 'E_LOOP', message: "loop evaluator `user/eval/1' has no validate() method" });
  });
});

describe('process signatures and loop channels', () => {
  it('parameterNames reads a method, async or not, with defaults and rest', () => {
    expect(parameterNames(Processor.prototype.process)).toEqual(['inputs', '_dataLoaders', 'outputs', 'loopChannel']);
    const o = {
      process(a = [1, 2], { b }: any = {}, ...rest: unknown[]) {
        return [a, b, rest];
      },
    };
    expect(parameterNames(o.process)).toEqual(['a', '{ b }', '...rest']);
  });

  it('a loop processor whose process() does not take the loop channel is an error', async () => {
    const P = class {
      process(inputs: any, dataLoaders: any, outputs: any) {
        return [inputs, dataLoaders, outputs];
      }
    };
    const runs = await pair(P, Evaluator);
    expect(runs.processor.error).toMatchObject({
      code: 'E_LOOP',
      stage: 'setup',
      message:
        "algorithm `user/proc/1' is a loop processor: its process(inputs, dataLoaders, outputs) must take the loop channel, process(inputs, dataLoaders, outputs, loopChannel)",
    });
  });

  it('a block that is no loop processor but whose process() takes a loop channel is an error', async () => {
    const decl = { language: 'javascript', api_version: 2, groups: [{ inputs: { x: { type: INT } }, outputs: { y: { type: INT } } }] };
    const cls = class {
      process(inputs: any, dataLoaders: any, outputs: any, loopChannel: any) {
        return [inputs, dataLoaders, outputs, loopChannel];
      }
    };
    const run = await executeBlock({ declaration: decl, algorithm: cls as unknown as AlgorithmClass, name: 'user/b/1', inputs: { x: ints([1]) } });
    expect(run.error).toMatchObject({
      code: 'E_LOOP',
      message:
        "algorithm `user/b/1': process(inputs, dataLoaders, outputs, loopChannel) takes a loop channel, but the algorithm is no loop processor (it has no loop channel)",
    });
  });

  it('a loop processor run without its evaluator, or an evaluator run as a block, is refused', async () => {
    const p = await executeBlock({
      declaration: PROCESSOR,
      algorithm: Processor as unknown as AlgorithmClass,
      name: 'user/proc/1',
      inputs: { in_loop: ints([1]) },
    });
    expect(p.error).toMatchObject({
      code: 'E_LOOP',
      message: expect.stringContaining('is a loop processor (sequential_loop_processor) but it has no loop channel'),
    });
    const e = await executeBlock({ declaration: EVALUATOR, algorithm: Evaluator as unknown as AlgorithmClass, name: 'user/eval/1', inputs: { in: ints([1]) } });
    expect(e.error).toMatchObject({
      code: 'E_LOOP',
      message: expect.stringContaining('is a loop evaluator (sequential_loop_evaluator): it runs only with its processor'),
    });
  });
});

describe('toolchain loops', () => {
  const declarations: Record<string, unknown> = { 'user/proc/1': PROCESSOR, 'user/eval/1': EVALUATOR, 'user/sum/1': SUM };
  const declarationOf = (a: string): AlgorithmDeclaration | null => (declarations[a] ? parseDeclaration(declarations[a]) : null);
  const classes: Record<string, unknown> = { 'user/proc/1': Processor, 'user/eval/1': Evaluator, 'user/sum/1': Sum };
  const LOOP_TOOLCHAIN = {
    name: 'loop/1',
    sources: [{ name: 'integers', format: INT, values: ONE_TO_NINE.map((value) => ({ value })) }],
    blocks: [
      { name: 'processor', algorithm: 'user/proc/1' },
      { name: 'evaluator', algorithm: 'user/eval/1' },
      { name: 'analysis', algorithm: 'user/sum/1' },
    ],
    connections: [
      { from: 'integers', to: 'processor.in_loop' },
      { from: 'integers', to: 'evaluator.in' },
      { from: 'processor.out', to: 'analysis.in' },
    ],
    loops: [{ name: 'loop', processor: 'processor', evaluator: 'evaluator' }],
  };

  it('loop/1 ⇒ {sum: 504, nb: 9}', async () => {
    const plan = planToolchain(LOOP_TOOLCHAIN, declarationOf);
    expect(plan.blocks.map((b) => [b.name, b.loop ?? null])).toEqual([
      ['processor', { name: 'loop', role: 'processor', partner: 'evaluator' }],
      ['evaluator', { name: 'loop', role: 'evaluator', partner: 'processor' }],
      ['analysis', null],
    ]);
    const classOf = (a: string) => classes[a] as AlgorithmClass;
    const result = await runToolchain(plan, {
      sources: { integers: ints(ONE_TO_NINE) },
      execute: inProcessExecutor(classOf),
      executeLoop: inProcessLoopExecutor(classOf),
    });
    expect(result.status).toBe('DONE');
    expect(result.blocks.analysis!.result!.data).toEqual({ sum: 504, nb: 9 });
    expect(values(result.blocks.evaluator!.outputs.requests)).toEqual(ONE_TO_NINE.map(() => 9));
    expect(result.blocks.evaluator!.processCalls).toBe(81);
  });

  it('planning names every problem of a loop', () => {
    const problems = (t: object) => {
      try {
        planToolchain(t, declarationOf);
        return [];
      } catch (e) {
        return (e as { details: string[] }).details;
      }
    };
    expect(problems({ ...LOOP_TOOLCHAIN, loops: [] })).toEqual([
      `block 'processor' (user/proc/1) is a loop processor: connect it to its evaluator with a "loops" entry ({ "processor": …, "evaluator": … })`,
      `block 'evaluator' (user/eval/1) is a loop evaluator: connect it to its processor with a "loops" entry ({ "processor": …, "evaluator": … })`,
    ]);
    expect(problems({ ...LOOP_TOOLCHAIN, loops: [{ processor: 'evaluator', evaluator: 'nope' }] })).toEqual([
      "loops[0].processor: block 'evaluator' (user/eval/1) is not a loop processor (its type is sequential_loop_evaluator)",
      "loops[0].evaluator: no block 'nope'",
      `block 'processor' (user/proc/1) is a loop processor: connect it to its evaluator with a "loops" entry ({ "processor": …, "evaluator": … })`,
    ]);
    declarations['user/eval2/1'] = {
      ...EVALUATOR,
      groups: [{ ...EVALUATOR.groups[0], inputs: { in: { type: INT }, o: { type: INT } }, loop: { request: { type: INT }, answer: { type: INT } } }],
    };
    expect(
      problems({
        ...LOOP_TOOLCHAIN,
        blocks: [...LOOP_TOOLCHAIN.blocks.slice(0, 1), { name: 'evaluator', algorithm: 'user/eval2/1' }, LOOP_TOOLCHAIN.blocks[2]],
        connections: [...LOOP_TOOLCHAIN.connections, { from: 'processor.out', to: 'evaluator.o' }],
      }),
    ).toEqual([
      "loops[0]: the processor 'processor' sends answers of system/float/1 but the evaluator 'evaluator' expects system/int32/1",
      "loops[0]: block 'evaluator' reads the outputs of its loop partner 'processor'; the two blocks of a loop run together",
    ]);
  });
});
