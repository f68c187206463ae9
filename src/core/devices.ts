// Device selection, after the reference's rules (compox.md §3.4), for the browser:
// "gpu" means WebGPU; "mps" can be declared (for manifest compatibility) but never exists here.
import type { Device, LogLevel } from './records';

export interface DeviceDecision {
  device: 'cpu' | 'gpu';
  log: { level: LogLevel; message: string }[];
}

export interface DeviceInputs {
  defaultDevice: Device | '';
  supportedDevices: Device[];
  /** The per-run override (any string the caller sent), or null/'' for none. */
  override: string | null | undefined;
  gpuAvailable: boolean;
  /** Why there is no GPU, for the warning (e.g. "no WebGPU adapter", "navigator.gpu is undefined"). */
  gpuUnavailableReason?: string;
}

/**
 * Resolve the device a run uses. Mirrors the reference: an override must be one of the supported
 * devices (compared case-insensitively) or it is ignored with a WARNING; "gpu" without an adapter
 * falls back to "cpu" with a WARNING.
 */
export function resolveDevice(inp: DeviceInputs): DeviceDecision {
  const log: DeviceDecision['log'] = [];
  const supported = inp.supportedDevices.map((d) => d.toLowerCase());
  const why = inp.gpuUnavailableReason ? ` (${inp.gpuUnavailableReason})` : '';
  const override = (inp.override ?? '').trim().toLowerCase();

  if (override) {
    if (supported.includes(override) && (override === 'cpu' || override === 'gpu')) {
      if (override === 'cpu') return { device: 'cpu', log };
      if (inp.gpuAvailable) {
        log.push({ level: 'INFO', message: 'Computing device override is set to GPU. Running on GPU (WebGPU).' });
        return { device: 'gpu', log };
      }
      log.push({
        level: 'WARNING',
        message: `Computing device override is set to GPU, however WebGPU is not available${why}. Running on CPU.`,
      });
      return { device: 'cpu', log };
    }
    log.push({
      level: 'WARNING',
      message: `Computing device override ${inp.override} is not supported, falling back to the default device: ${inp.defaultDevice || '(none)'}.`,
    });
  }

  const d = inp.defaultDevice.toLowerCase();
  if (d === 'cpu') {
    log.push({ level: 'INFO', message: 'Algorithm is set to run on CPU. Running on CPU.' });
    return { device: 'cpu', log };
  }
  if (d === 'gpu') {
    if (inp.gpuAvailable) {
      log.push({ level: 'INFO', message: 'Algorithm is set to run on GPU. Running on GPU (WebGPU).' });
      return { device: 'gpu', log };
    }
    log.push({ level: 'WARNING', message: `Algorithm is set to run on GPU but WebGPU is not available${why}. Running on CPU.` });
    return { device: 'cpu', log };
  }
  if (d === 'mps') {
    log.push({ level: 'WARNING', message: 'Algorithm is set to run on MPS, but MPS is not available in the browser. Running on CPU.' });
    return { device: 'cpu', log };
  }
  // No default device (only reachable for records written before validation existed).
  if (supported.includes('gpu') && inp.gpuAvailable) {
    log.push({ level: 'INFO', message: 'No default device specified. Running on GPU (WebGPU).' });
    return { device: 'gpu', log };
  }
  log.push({ level: 'WARNING', message: 'No default device specified. Running on CPU.' });
  return { device: 'cpu', log };
}
