// Built-in BEAT loop processor (sequential_loop_processor): for each integer x it searches the
// smallest hypothesis h its evaluator accepts, starting at 0 and stepping by half the distance the
// evaluator answers (at least 1), then writes x + h. With the evaluator's threshold 50 every search
// ends at h = 51 after 9 requests: over the integers 1…9 the outputs sum to 45 + 9 × 51 = 504.
export class Algorithm {
  async process(inputs, dataLoaders, outputs, loopChannel) {
    const x = inputs.get('in_loop').data.value;
    let h = 0;
    for (;;) {
      const [valid, answer] = await loopChannel.validate({ value: h });
      if (valid) break;
      h += Math.max(1, Math.floor(answer.value / 2));
    }
    outputs.get('out').write({ value: x + h });
    return true;
  }
}
