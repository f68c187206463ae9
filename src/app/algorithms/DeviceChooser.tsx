// Device radios for a run: only the devices the algorithm supports (cpu, gpu = WebGPU); gpu is
// disabled, with the reason, when the browser has no WebGPU adapter. Presentational (unit-tested).
import { useId } from 'react';

export type RunDevice = 'cpu' | 'gpu';

export interface GpuState {
  available: boolean;
  reason?: string;
}

/** The device a run uses unless the user picks another: the default when usable, else cpu. */
export function preferredDevice(supported: readonly string[], defaultDevice: string, gpu: GpuState | undefined): RunDevice | null {
  const devs = runDevices(supported);
  if (!devs.length) return null;
  const d = defaultDevice.toLowerCase();
  if (d === 'gpu' && devs.includes('gpu') && gpu?.available) return 'gpu';
  if (devs.includes('cpu')) return 'cpu';
  return gpu?.available ? 'gpu' : null;
}

/** The devices offered (mps is accepted in manifests for compatibility but never exists here). */
export function runDevices(supported: readonly string[]): RunDevice[] {
  const s = supported.map((x) => x.toLowerCase());
  return (['cpu', 'gpu'] as const).filter((d) => s.includes(d));
}

export function DeviceChooser({
  supported,
  gpu,
  value,
  onChange,
}: {
  supported: readonly string[];
  /** undefined while probing. */
  gpu: GpuState | undefined;
  value: RunDevice | null;
  onChange(d: RunDevice): void;
}) {
  const name = useId();
  const reasonId = useId();
  const devs = runDevices(supported);
  const gpuOff = !gpu?.available;
  const reason = gpu === undefined ? 'checking for WebGPU…' : (gpu.reason ?? 'no WebGPU adapter is available');
  return (
    <fieldset className="run-devices">
      <legend>Device</legend>
      {devs.length === 0 ? (
        <span className="muted">This algorithm declares no devices; it runs on CPU.</span>
      ) : (
        devs.map((d) => {
          const disabled = d === 'gpu' && gpuOff;
          return (
            <label key={d} className={`run-device${disabled ? ' disabled' : ''}`}>
              <input
                type="radio"
                name={name}
                value={d}
                checked={value === d}
                disabled={disabled}
                onChange={() => onChange(d)}
                aria-describedby={disabled ? reasonId : undefined}
                data-testid={`device-${d}`}
              />
              {d === 'gpu' ? 'gpu (WebGPU)' : 'cpu'}
            </label>
          );
        })
      )}
      {devs.includes('gpu') && gpuOff && (
        <span id={reasonId} className="muted run-device-reason" data-testid="gpu-reason">
          GPU unavailable: {reason}
          {devs.length === 1 ? '. The run falls back to CPU.' : '.'}
        </span>
      )}
    </fieldset>
  );
}
