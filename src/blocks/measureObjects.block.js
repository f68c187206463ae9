// Built-in BEAT block "measure_objects" (sequential, API v2, splittable): the connected objects of a mask
// (skimage.measure.label with the given connectivity, background 0), how many there are and each one's area
// in pixels (skimage.measure.regionprops_table's `area`), in label order.
import { measure } from 'algobox/image';

export class Algorithm {
  setup(parameters) {
    const c = parameters.connectivity;
    if (c !== 1 && c !== 2) throw new Error(`measure_objects: parameter 'connectivity' is ${c}; expected 1 (edges) or 2 (edges and corners)`);
    this.connectivity = c;
    return true;
  }

  process(inputs, _dataLoaders, outputs) {
    const mask = inputs.get('mask').data.value;
    const { labels, count } = measure.label(mask, { connectivity: this.connectivity, background: 0 });
    const { area } = measure.regionpropsTable(labels, { properties: ['label', 'area'] });
    outputs.get('labels').write({ value: labels });
    outputs.get('count').write({ value: count });
    outputs.get('area').write({ value: { dtype: 'float64', shape: [count], data: Float64Array.from(area) } });
    return true;
  }
}
