// Built-in BEAT analyzer "segmentation_eval" (sequential, API v2): for each pair (prediction, ground
// truth) of masks — non-zero = foreground — Dice = 2|P∩G| / (|P| + |G|) and IoU = |P∩G| / |P∪G| (both 1
// when both masks are empty); on the last pair it writes the per-image values as a bar plot (series
// 'dice' and 'iou', one bar per image at its data index), their means and the number of images.
export function diceAndIou(p, g) {
  let inter = 0;
  let sizeP = 0;
  let sizeG = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i] !== 0;
    const b = g[i] !== 0;
    if (a) sizeP++;
    if (b) sizeG++;
    if (a && b) inter++;
  }
  const union = sizeP + sizeG - inter;
  if (union === 0) return { dice: 1, iou: 1 };
  return { dice: (2 * inter) / (sizeP + sizeG), iou: inter / union };
}

export class Algorithm {
  constructor() {
    this.indices = [];
    this.dice = [];
    this.iou = [];
  }

  process(inputs, _dataLoaders, output) {
    const prediction = inputs.get('prediction');
    const p = prediction.data.value;
    const g = inputs.get('ground_truth').data.value;
    if (p.shape.join() !== g.shape.join()) {
      throw new Error(`prediction and ground truth differ in shape at index ${prediction.dataIndex}: [${p.shape.join(', ')}] vs [${g.shape.join(', ')}]`);
    }
    const { dice, iou } = diceAndIou(p.data, g.data);
    this.indices.push(prediction.dataIndex);
    this.dice.push(dice);
    this.iou.push(iou);
    if (!inputs.hasMoreData()) {
      const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
      output.write({
        per_image: {
          data: [
            { label: 'dice', x: this.indices, y: this.dice },
            { label: 'iou', x: this.indices, y: this.iou },
          ],
        },
        mean_dice: mean(this.dice),
        mean_iou: mean(this.iou),
        nb_images: this.indices.length,
      });
    }
    return true;
  }
}
