// Built-in BEAT block of the seed's Fig. 3, block A (legacy I/O): reads an image and the label of the
// sequence it belongs to; writes one feature per image: its mean intensity + 1000 × label.
export class Algorithm {
  process(inputs, outputs) {
    const image = inputs.get('images').data.value;
    const label = inputs.get('labels').data.value;
    let sum = 0;
    for (let i = 0; i < image.data.length; i++) sum += image.data[i];
    outputs.get('features').write({ value: sum / image.data.length + 1000 * label });
    return true;
  }
}
