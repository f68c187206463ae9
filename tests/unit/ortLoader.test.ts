// The injected ORT loader (what the sandbox runtime installs under ORT_LOADER): loadOrt uses it instead
// of importing onnxruntime-web, once per worker, for either flavour; sessions work as usual.
import { expect, it } from 'vitest';
import { ORT_LOADER, createOnnxSession, loadOrt, type OrtLoader, type OrtModule } from '../../src/sdk/onnxRuntime';
import { ndarray } from '../../src/core/ndarray';
import { convRelu } from '../fixtures/onnx/makeModel';

it('loadOrt takes ORT from an injected loader, once, and sessions run on it', async () => {
  const asked: string[] = [];
  const loader: OrtLoader = async (flavour) => {
    asked.push(flavour);
    return (await import('onnxruntime-web/wasm')) as OrtModule;
  };
  (globalThis as unknown as Record<symbol, unknown>)[ORT_LOADER] = loader;
  try {
    const logs: string[] = [];
    const s = await createOnnxSession(convRelu(), { name: 'files/conv.onnx', device: 'gpu', log: (level, m) => void logs.push(`${level} ${m}`) });
    expect(s.provider).toBe('wasm');
    expect(logs[0]).toMatch(/^WARNING Device is gpu but WebGPU is not available in the runner worker/);
    const out = await s.run({ X: ndarray('float32', [1, 1, 2, 2], new Float32Array(4)) });
    expect(out['Y']!.shape).toEqual([1, 1, 2, 2]);
    await loadOrt('wasm');
    expect(asked).toEqual(['webgpu']);
    await s.release();
  } finally {
    delete (globalThis as unknown as Record<symbol, unknown>)[ORT_LOADER];
  }
});
