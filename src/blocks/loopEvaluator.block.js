// Built-in BEAT loop evaluator (sequential_loop_evaluator): accepts a hypothesis h when h > threshold
// and answers the distance threshold − h; it counts the requests made for each unit of its
// synchronization group (reset by read()) and writes that count when the processor writes (write()).
export class Algorithm {
  setup(parameters) {
    this.threshold = parameters.threshold;
    this.requests = 0;
    return true;
  }

  read(inputs) {
    this.requests = 0;
    this.current = inputs.get('in').data.value;
    return true;
  }

  validate(request) {
    this.requests += 1;
    return [request.value > this.threshold, { value: this.threshold - request.value }];
  }

  write(outputs, processorOutputName, endDataIndex) {
    outputs.get('requests').write({ value: this.requests }, endDataIndex);
    return true;
  }
}
