// Built-in BEAT analyzer "count_eval" (sequential, API v2): for each image, the objects found against the
// objects of its reference annotation; on the last one it writes both counts per image as a bar plot
// (series 'found' and 'ground truth', one bar per image at its data index) and as a table (system/table/1:
// image_index, found, ground_truth, error = found − ground truth, relative_error = error / ground truth, NaN —
// missing — when the reference is empty), the mean absolute and mean relative errors (the relative one over the
// images whose reference has objects; 0 when none has) and the totals.
export function countErrors(found, truth) {
  let abs = 0;
  let rel = 0;
  let nRel = 0;
  for (let i = 0; i < found.length; i++) {
    const d = Math.abs(found[i] - truth[i]);
    abs += d;
    if (truth[i] > 0) {
      rel += d / truth[i];
      nRel++;
    }
  }
  return { meanAbsolute: found.length ? abs / found.length : 0, meanRelative: nRel ? rel / nRel : 0 };
}

/** The per-image table (system/table/1): one row per image, in data-index order. */
export function perImageTable(indices, found, truth) {
  const error = found.map((f, i) => f - truth[i]);
  return {
    columns: [
      { name: 'image_index', type: 'int' },
      { name: 'found', type: 'int' },
      { name: 'ground_truth', type: 'int' },
      { name: 'error', type: 'int' },
      { name: 'relative_error', type: 'float' },
    ],
    values: [indices, found, truth, error, error.map((e, i) => (truth[i] > 0 ? e / truth[i] : NaN))],
  };
}

export class Algorithm {
  constructor() {
    this.indices = [];
    this.found = [];
    this.truth = [];
  }

  process(inputs, _dataLoaders, output) {
    const count = inputs.get('count');
    this.indices.push(count.dataIndex);
    this.found.push(count.data.value);
    this.truth.push(inputs.get('ground_truth_count').data.value);
    if (!inputs.hasMoreData()) {
      const { meanAbsolute, meanRelative } = countErrors(this.found, this.truth);
      const sum = (xs) => xs.reduce((a, b) => a + b, 0);
      output.write({
        per_image: {
          data: [
            { label: 'found', x: this.indices, y: this.found },
            { label: 'ground truth', x: this.indices, y: this.truth },
          ],
        },
        per_image_table: perImageTable(this.indices, this.found, this.truth),
        mean_absolute_error: meanAbsolute,
        mean_relative_error: meanRelative,
        total_found: sum(this.found),
        total_ground_truth: sum(this.truth),
        nb_images: this.indices.length,
      });
    }
    return true;
  }
}
