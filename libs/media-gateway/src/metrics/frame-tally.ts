import { Histogram } from 'prom-client';

/**
 * Per-frame figures of one direction of the media path, kept as plain numbers: recording a frame is
 * a few additions (no label hashing, no allocation), and prom-client reads the totals only when
 * `/metrics` is scraped. `observe` takes seconds; `buckets[i]` counts frames at or below `bounds[i]`
 * (and above the bound before it); the last slot counts those above every bound.
 */
export class FrameTally {
  /** Frames recorded. */
  count = 0;
  /** Sum of the recorded processing times, in seconds. */
  sum = 0;
  /** Non-cumulative counts per bucket; one more slot than `bounds` (+Inf). */
  readonly buckets: Float64Array;

  /** `bounds`: the histogram's upper bounds in seconds, ascending. */
  constructor(readonly bounds: readonly number[]) {
    this.buckets = new Float64Array(bounds.length + 1);
  }

  /** Records one frame that took `seconds` to process. */
  observe(seconds: number): void {
    this.count++;
    this.sum += seconds;
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && seconds > bounds[i]) i++;
    this.buckets[i]++;
  }
}

type HistogramData = Awaited<ReturnType<Histogram<string>['get']>>;

/**
 * A prom-client Histogram whose series come from FrameTally objects (one per value of its single
 * label) instead of per-observation `observe` calls: its exposition is the one prom-client gives a
 * Histogram (`_bucket` cumulative with `le`, `+Inf`, `_sum`, `_count`), computed at scrape time.
 * Directions with no frame yet have no series, as with a plain Histogram.
 */
export class TallyHistogram extends Histogram<string> {
  private readonly tallies: ReadonlyArray<[string, FrameTally]>;

  /** `label`: the one label name; `tallies`: its values and their tallies (sharing `buckets`). */
  constructor(
    private readonly config: { name: string; help: string; buckets: number[] },
    private readonly label: string,
    tallies: Record<string, FrameTally>,
  ) {
    super({ ...config, labelNames: [label] });
    this.tallies = Object.entries(tallies);
  }

  /** Prometheus exposition data, read from the tallies. */
  override get(): Promise<HistogramData> {
    return Promise.resolve(this.snapshot());
  }

  /** What prom-client's registry reads when it renders text (it prefers this to `get`). */
  getForPromString(): Promise<HistogramData> {
    return Promise.resolve(this.snapshot());
  }

  private snapshot(): HistogramData {
    const { name, help } = this.config;
    const values: HistogramData['values'] = [];
    const bucketName = `${name}_bucket`;
    for (const [value, tally] of this.tallies) {
      if (tally.count === 0) continue;
      let cumulative = 0;
      tally.bounds.forEach((bound, i) => {
        cumulative += tally.buckets[i];
        values.push({
          labels: { le: bound, [this.label]: value },
          value: cumulative,
          metricName: bucketName,
        });
      });
      values.push(
        {
          labels: { le: '+Inf', [this.label]: value },
          value: tally.count,
          metricName: bucketName,
        },
        {
          labels: { [this.label]: value },
          value: tally.sum,
          metricName: `${name}_sum`,
        },
        {
          labels: { [this.label]: value },
          value: tally.count,
          metricName: `${name}_count`,
        },
      );
    }
    // prom-client's typings give `type` as an enum; at run time (and in its registry) it is the string.
    return {
      name,
      help,
      type: 'histogram',
      values,
      aggregator: 'sum',
    } as unknown as HistogramData;
  }
}
