import type { MetricValue, MetricValueWithName } from 'prom-client';

/** What the registry reads of a metric to render it (prom-client's MetricObjectWithValues, less its `collect`). */
interface Rendered<V> {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  values: V[];
}

/**
 * Counters and histograms for the hot paths, registered in the process's prom-client registry
 * (it renders them through `get()`, as it does its own).
 *
 * prom-client's own converts, validates and hashes a sample's labels on every `inc` and
 * `observe`, even through a child made once by `labels()`: measured under `pnpm bench write`,
 * allocation and garbage collection on every message and request (bench/findings.md). These
 * resolve the labels once, in `labels()`, to a child that only adds numbers.
 */

type LabelValues<L extends string> = Partial<Record<L, string | number>>;

/** A counter's series for one set of label values. */
export interface CounterChild {
  inc(by?: number): void;
}

/** A histogram's series for one set of label values. */
export interface HistogramChild {
  observe(value: number): void;
}

/** The state both kinds keep per series, keyed by label values in `labelNames` order. */
abstract class Labelled<L extends string, C> {
  readonly aggregator = 'sum' as const;
  readonly #children = new Map<string, { labels: Record<string, string | number>; child: C }>();

  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];

  constructor(name: string, help: string, labelNames: readonly L[]) {
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
    // Without labels there is one series, shown (at 0) from the start, as prom-client does.
    if (labelNames.length === 0) this.labels({});
  }

  /** The series of these label values, made on first use; every label name must be declared. */
  labels(values: LabelValues<L>): C {
    const key = this.labelNames.map((name) => String(values[name] ?? '')).join('\u0000');
    let found = this.#children.get(key);
    if (!found) {
      for (const name of Object.keys(values)) {
        if (!this.labelNames.includes(name as L)) throw new Error(`${this.name} has no label ${name}`);
      }
      found = { labels: { ...values } as Record<string, string | number>, child: this.create() };
      this.#children.set(key, found);
    }
    return found.child;
  }

  protected series(): Iterable<{ labels: Record<string, string | number>; child: C }> {
    return this.#children.values();
  }

  reset(): void {
    this.#children.clear();
    if (this.labelNames.length === 0) this.labels({});
  }

  protected abstract create(): C;
}

export class FastCounter<L extends string> extends Labelled<L, CounterChild & { value: number }> {
  readonly type = 'counter' as const;

  /** `inc()`, `inc(by)`, or `inc(labels, by?)`. */
  inc(labelsOrBy?: LabelValues<L> | number, by?: number): void {
    if (typeof labelsOrBy === 'object') this.labels(labelsOrBy).inc(by);
    else this.labels({}).inc(labelsOrBy);
  }

  protected create() {
    return {
      value: 0,
      inc(by = 1) {
        if (!(by >= 0)) throw new Error(`a counter only goes up: ${by}`);
        this.value += by;
      },
    };
  }

  async get(): Promise<Rendered<MetricValue<string>>> {
    const values = [...this.series()].map(({ labels, child }) => ({ labels, value: child.value }));
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

interface Buckets {
  counts: Float64Array;
  sum: number;
  count: number;
}

export class FastHistogram<L extends string> extends Labelled<L, HistogramChild & Buckets> {
  readonly type = 'histogram' as const;
  readonly upperBounds: readonly number[];

  constructor(name: string, help: string, labelNames: readonly L[], upperBounds: readonly number[]) {
    const sorted = [...upperBounds].sort((a, b) => a - b);
    // Set before super(): a histogram without labels makes its one series in the constructor.
    super(name, help, labelNames);
    this.upperBounds = sorted;
    if (labelNames.length === 0) this.reset();
  }

  /** `observe(value)`, or `observe(labels, value)`. */
  observe(labelsOrValue: LabelValues<L> | number, value?: number): void {
    if (typeof labelsOrValue === 'number') this.labels({}).observe(labelsOrValue);
    else this.labels(labelsOrValue).observe(value!);
  }

  protected create() {
    const bounds = this.upperBounds ?? [];
    return {
      counts: new Float64Array(bounds.length),
      sum: 0,
      count: 0,
      observe(value: number) {
        if (!Number.isFinite(value)) throw new TypeError(`not a finite number: ${value}`);
        const at = bounds.findIndex((bound) => value <= bound);
        if (at >= 0) this.counts[at]! += 1;
        this.sum += value;
        this.count += 1;
      },
    };
  }

  async get(): Promise<Rendered<MetricValueWithName<string>>> {
    const values: MetricValueWithName<string>[] = [];
    for (const { labels, child } of this.series()) {
      let cumulative = 0;
      this.upperBounds.forEach((le, i) => {
        cumulative += child.counts[i]!;
        values.push({ labels: { ...labels, le }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({
        labels: { ...labels, le: '+Inf' },
        value: child.count,
        metricName: `${this.name}_bucket`,
      });
      values.push({ labels, value: child.sum, metricName: `${this.name}_sum` });
      values.push({ labels, value: child.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}
