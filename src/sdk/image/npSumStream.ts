// numpy's sum of a sequence that arrives piece by piece (the blocks of an array too large for memory,
// in C order), bit-identical to `npSum` of the whole sequence. npSum is pairwise within fixed
// 8192-element buffer chunks that are accumulated in order (numpySum.ts), so a stream only has to
// cut the same chunks: it buffers up to 8192 values, sums each full chunk pairwise and adds it to the
// running total, whatever the block boundaries are.
import { NP_BUFSIZE, pairwiseSum } from './numpySum';

type Num = ArrayLike<number>;

export class NpSumStream {
  private readonly buf = new Float64Array(NP_BUFSIZE);
  private fill = 0;
  private acc = 0;
  private pushed = 0;

  /** `f32`: float32 arithmetic (numpy's FLOAT_add reduce), as npSum(…, f32). */
  constructor(private readonly f32 = false) {}

  /** Values added so far. */
  get count(): number {
    return this.pushed;
  }

  /** Add d[off .. off+n) (float32 data is held exactly in the float64 buffer). */
  pushAll(d: Num, off = 0, n: number = d.length - off): void {
    this.pushed += n;
    let i = off;
    const end = off + n;
    while (i < end) {
      const take = Math.min(NP_BUFSIZE - this.fill, end - i);
      if (ArrayBuffer.isView(d)) this.buf.set((d as unknown as Float64Array).subarray(i, i + take), this.fill);
      else for (let k = 0; k < take; k++) this.buf[this.fill + k] = d[i + k]!;
      this.fill += take;
      i += take;
      if (this.fill === NP_BUFSIZE) {
        this.acc = this.add(this.acc, pairwiseSum(this.buf, 0, NP_BUFSIZE, this.f32));
        this.fill = 0;
      }
    }
  }

  /** The sum of everything pushed so far (the last, partial chunk included); more may be pushed after. */
  sum(): number {
    return this.fill === 0 ? this.acc : this.add(this.acc, pairwiseSum(this.buf, 0, this.fill, this.f32));
  }

  private add(a: number, b: number): number {
    return this.f32 ? Math.fround(a + b) : a + b;
  }
}
