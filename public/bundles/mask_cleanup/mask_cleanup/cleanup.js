import { morphology } from "algobox/image";

/** Remove small objects, then (optionally) fill holes, slice by slice; uint8 0/1 out. */
export function cleanMask(mask2d, minSize, fillHoles) {
  let out = morphology.removeSmallObjects(mask2d, minSize);
  if (fillHoles) out = morphology.binaryFillHoles(out);
  return out;
}
