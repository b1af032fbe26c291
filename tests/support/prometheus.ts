import { expect } from 'vitest';

/** One scrape of a Prometheus endpoint, read as its series. */
export interface Scrape {
  /** The text as served. */
  text: string;
  /**
   * The value of the series `name` whose labels include `labels` (0 when there is none yet: a
   * counter or gauge not touched since the process started), summed when several match.
   */
  value(name: string, labels?: Record<string, string>): number;
}

/**
 * GETs `url` (a `/metrics` endpoint), checks that it answers Prometheus' text format, and reads
 * its series. Labels are matched by name and value, whatever their order on the line.
 */
export async function scrape(url: string): Promise<Scrape> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  const series = text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)/.exec(line);
      if (!match) throw new Error(`not a Prometheus sample: ${line}`);
      const labels = Object.fromEntries(
        [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]),
      );
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
  return {
    text,
    value(name, labels = {}) {
      return series
        .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        .reduce((sum, s) => sum + s.value, 0);
    },
  };
}
