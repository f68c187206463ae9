// OnnxSession and loadOnnxModel's options, on a tiny generated model with onnxruntime-web in Node.
import { describe, expect, it } from 'vitest';
import { createOnnxSession, onnxStats, releaseAllSessions } from '../../src/sdk/onnxRuntime';
import { ndarray } from '../../src/core/ndarray';
import { convRelu, convReluReference } from '../fixtures/onnx/makeModel';

const logs: string[] = [];
const log = (level: string, message: string) => void logs.push(`${level} ${message}`);

describe('OnnxSession on a generated Conv+Relu model', () => {
  it('runs NDArrays in and out, matching a JS reference', async () => {
    const s = await createOnnxSession(convRelu(), { name: 'files/conv.onnx', device: 'cpu', log });
    expect(s.provider).toBe('wasm');
    expect(s.inputNames).toEqual(['X']);
    expect(s.outputNames).toEqual(['Y']);
    expect(s.inputs).toEqual([{ name: 'X', type: 'float32', shape: [1, 1, 'H', 'W'] }]);
    const x = Float32Array.from({ length: 7 * 9 }, (_, i) => Math.sin(i) + 0.5);
    const out = await s.run({ X: ndarray('float32', [1, 1, 7, 9], x) });
    expect(out['Y']!.shape).toEqual([1, 1, 7, 9]);
    const ref = convReluReference(x, 7, 9);
    let worst = 0;
    for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(ref[i]! - (out['Y']!.data[i] as number)));
    expect(worst).toBeLessThan(1e-6);
    expect(logs.some((l) => /^INFO Loaded model files\/conv\.onnx \(0\.0 MB\) on WASM \(SIMD, 1 thread\) in \d+ ms\.$/.test(l))).toBe(true);
    await s.release();
    await expect(s.run({ X: ndarray('float32', [1, 1, 7, 9], x) })).rejects.toThrow('The session of files/conv.onnx was released.');
  });

  it('checks feeds: names, dtypes, ranks and fixed dimensions, with messages naming the input', async () => {
    const s = await createOnnxSession(convRelu(), { name: 'm.onnx', device: 'cpu', log });
    const x = ndarray('float32', [1, 1, 4, 4], new Float32Array(16));
    await expect(s.run({})).rejects.toThrow("run(m.onnx): input 'X' is missing; the model's inputs are X.");
    await expect(s.run({ X: x, Z: x })).rejects.toThrow("run(m.onnx): the model has no input 'Z'; its inputs are X.");
    await expect(s.run({ X: ndarray('float64', [1, 1, 4, 4], new Float64Array(16)) })).rejects.toThrow("run(m.onnx): input 'X' must be float32, got float64.");
    await expect(s.run({ X: ndarray('float32', [1, 2, 4, 2], new Float32Array(16)) })).rejects.toThrow(
      "run(m.onnx): input 'X' must have shape [1, 1, H, W], got [1, 2, 4, 2].",
    );
    await expect(s.run({ X: ndarray('float32', [16], new Float32Array(16)) })).rejects.toThrow("input 'X' must have shape [1, 1, H, W], got [16]");
    await expect(s.run({ X: x }, ['nope'])).rejects.toThrow("run(m.onnx): the model has no output 'nope'; its outputs are Y.");
    await expect(s.run({ X: 5 as never })).rejects.toThrow("run(m.onnx): input 'X' must be an NDArray");
    await s.release();
  });

  it('validates options and bytes', async () => {
    await expect(createOnnxSession(convRelu(), { name: 'm', device: 'cpu', log, options: { threads: 2 } })).rejects.toThrow(
      "loadOnnxModel: unknown option 'threads'; the options are graphOptimizationLevel, freeDimensionOverrides, cpuOnly.",
    );
    await expect(createOnnxSession(convRelu(), { name: 'm', device: 'cpu', log, options: { graphOptimizationLevel: 'max' } })).rejects.toThrow(
      'loadOnnxModel: graphOptimizationLevel must be one of disabled, basic, extended, layout, all, got "max".',
    );
    await expect(createOnnxSession(convRelu(), { name: 'm', device: 'cpu', log, options: { freeDimensionOverrides: { H: 0 } } })).rejects.toThrow(
      'loadOnnxModel: freeDimensionOverrides.H must be a positive integer, got 0.',
    );
    await expect(createOnnxSession(new Uint8Array(0), { name: 'empty.onnx', device: 'cpu', log })).rejects.toThrow('loadOnnxModel: empty.onnx is empty.');
    await expect(createOnnxSession(new Uint8Array([1, 2, 3, 4]), { name: 'junk.onnx', device: 'cpu', log })).rejects.toThrow(
      /^loadOnnxModel: onnxruntime-web could not load junk\.onnx: /,
    );
  });

  it('cpuOnly keeps a gpu-device model on WASM (INFO); releaseAllSessions frees every live session', async () => {
    logs.length = 0;
    const before = onnxStats.sessionsReleased;
    const a = await createOnnxSession(convRelu(), { name: 'a.onnx', device: 'gpu', log, options: { cpuOnly: true, freeDimensionOverrides: { H: 4, W: 4 } } });
    const b = await createOnnxSession(convRelu(), { name: 'b.onnx', device: 'cpu', log });
    expect(a.provider).toBe('wasm');
    expect(logs[0]).toBe('INFO Model a.onnx asks for cpuOnly: running it on WASM although the device is gpu.');
    expect(await releaseAllSessions()).toBeGreaterThanOrEqual(2);
    expect(a.isReleased && b.isReleased).toBe(true);
    expect(onnxStats.sessionsReleased - before).toBeGreaterThanOrEqual(2);
  });
});
