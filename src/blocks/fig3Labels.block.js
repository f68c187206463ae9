// Built-in BEAT block of the seed's Fig. 3, block B (legacy I/O): one unit per label (spanning the
// images of its sequence): the label × 100.
export class Algorithm {
  process(inputs, outputs) {
    outputs.get('count').write({ value: inputs.get('labels').data.value * 100 });
    return true;
  }
}
