import type { Algobox } from '../api';

declare global {
  interface Window {
    /** The public API (docs/api.md). */
    algobox: Algobox;
  }
}
export {};
