// What bundles import as "algobox/image": scikit-image-compatible kernels, grouped as skimage's
// modules are (filters, restoration, registration, morphology, measure), plus the FFT they are built on and
// transform. Every name is listed here: what the modules export for each other (numpy's sums,
// histograms) or for tests (testHooks.ts) does not reach bundles.
import {
  THRESHOLD_METHODS,
  applyThreshold,
  isodataFromHistogram,
  minimumFromHistogram,
  otsuFromHistogram,
  threshold,
  thresholdIsodata,
  thresholdIsodataAll,
  thresholdLi,
  thresholdLocal,
  thresholdMean,
  thresholdMinimum,
  thresholdOtsu,
  thresholdTriangle,
  thresholdValue,
  thresholdYen,
  triangleFromHistogram,
  yenFromHistogram,
} from './filters';
import { isBlockwiseThreshold, thresholdOfBlocks } from './blockThresholds';
import { localMasksOfBlocks } from './localBlocks';
import { denoiseTvChambolle, tvBackend } from './restoration';
import { phaseCrossCorrelation, upsampledCrossCorrelation } from './registration';
import { binaryFillHoles, label, removeSmallObjects } from './morphology';
import { cleanMaskSlices } from './sliceMorphology';
import { cleanMaskTiled } from './tiledMorphology';
import { fft1d, fftfreq, fftn, fftnInPlace, getPlan, ifftn, irfftn, toComplex } from './fft';
import { resize } from './transform';
import { label as measureLabel, regionpropsTable } from './measure';
import { labelBlocks, regionpropsOfBlocks } from './measureBlocks';
import { REGIONPROPS } from './regionprops';

export const filters = Object.freeze({
  THRESHOLD_METHODS,
  applyThreshold,
  isBlockwiseThreshold,
  isodataFromHistogram,
  localMasksOfBlocks,
  minimumFromHistogram,
  otsuFromHistogram,
  threshold,
  thresholdIsodata,
  thresholdIsodataAll,
  thresholdLi,
  thresholdLocal,
  thresholdMean,
  thresholdMinimum,
  thresholdOfBlocks,
  thresholdOtsu,
  thresholdTriangle,
  thresholdValue,
  thresholdYen,
  triangleFromHistogram,
  yenFromHistogram,
});
export const restoration = Object.freeze({ denoiseTvChambolle, tvBackend });
export const registration = Object.freeze({ phaseCrossCorrelation, upsampledCrossCorrelation });
export const morphology = Object.freeze({ binaryFillHoles, cleanMaskSlices, cleanMaskTiled, label, removeSmallObjects });
export const fft = Object.freeze({ fft1d, fftfreq, fftn, fftnInPlace, getPlan, ifftn, irfftn, toComplex });
export const transform = Object.freeze({ resize });
export const measure = Object.freeze({ REGIONPROPS, label: measureLabel, labelBlocks, regionpropsOfBlocks, regionpropsTable });
