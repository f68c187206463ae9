// Built-in BEAT analyzer (sequential): the sum and the number of the integers it reads.
export class Algorithm {
  setup() {
    this.sum = 0;
    this.nb = 0;
    return true;
  }

  process(inputs, dataLoaders, output) {
    this.sum += inputs.get('in').data.value;
    this.nb += 1;
    if (!inputs.hasMoreData()) output.write({ sum: this.sum, nb: this.nb });
    return true;
  }
}
