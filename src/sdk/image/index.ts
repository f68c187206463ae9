// What bundles import as "algobox/image": scikit-image-compatible kernels, grouped as skimage's
// modules are (filters, restoration, registration, morphology), plus the FFT they are built on.
export * as filters from './filters';
export * as restoration from './restoration';
export * as registration from './registration';
export * as morphology from './morphology';
export * as fft from './fft';
export * as transform from './transform';
