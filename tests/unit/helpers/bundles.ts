// Small test bundles as {path: content} maps.
export function manifest(name: string, type: string, extra = ''): string {
  return `[project]
name = "${name}"
version = "1.0.0"

[tool.compox]
algorithm_type = "${type}"
tags = ["test"]
description = "test bundle"
supported_devices = ["cpu", "gpu"]
default_device = "cpu"
${extra}
`;
}

export const scaleBundle = {
  'pyproject.toml': manifest(
    'scale',
    'Image2Image',
    `additional_parameters = [
  {name = "factor", description = "multiply by", config = {type = "float_range", default = 2.0, min = 0.0, max = 10.0, step = 0.5, adjustable = true}},
]`,
  ),
  'Runner.js': `
import { Image2ImageRunner, ndarray } from "algobox";
import { scale } from "./lib/scale.js";
export class Runner extends Image2ImageRunner {
  async inference(data, args) {
    this.logMessage("scaling by " + args.factor);
    this.setProgress(0.5);
    return scale(data, args.factor);
  }
}`,
  'lib/scale.js': `
import { ndarray } from "algobox";
export function scale(a, f) {
  const out = new Float32Array(a.data.length);
  for (let i = 0; i < out.length; i++) out[i] = a.data[i] * f;
  return ndarray("float32", a.shape, out);
}`,
  'files/readme.txt': 'hello asset',
};
