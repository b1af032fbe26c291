import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../scripts/supergraph.ts';

// What a dashboard or alert may query: the catalogue the services implement (docs/metrics.md,
// whose tables name one metric per row, in backticks, in the first column), prom-client's default
// process metrics, RabbitMQ's own (its prometheus plugin) and Prometheus's `up`.
const defaultPrefixes = ['process_', 'nodejs_', 'rabbitmq_'];
const histogramSeries = /_(bucket|sum|count)$/;

/** The metric names docs/metrics.md's tables list. */
export function catalogueNames(): Set<string> {
  const doc = readFileSync(join(repoRoot, 'docs/metrics.md'), 'utf8');
  const names = new Set<string>();
  for (const line of doc.split('\n')) {
    const first = /^\|\s*`([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^`]*\})?`\s*\|/.exec(line)?.[1];
    if (first) names.add(first);
  }
  return names;
}

/** Whether a series name is a catalogue metric (a histogram's _bucket/_sum/_count included) or a default one. */
export function isKnownMetric(name: string, catalogue: Set<string>): boolean {
  if (name === 'up' || defaultPrefixes.some((prefix) => name.startsWith(prefix))) return true;
  return catalogue.has(name) || catalogue.has(name.replace(histogramSeries, ''));
}

// PromQL words that are not series names.
const keywords = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'offset',
  'bool',
]);

/**
 * The series names a PromQL expression selects. Strings, label matchers, range and grouping
 * clauses are removed first; of the words left, those not called as functions and not
 * keywords are the names (`$__rate_interval` and other Grafana variables are not words here).
 */
export function seriesNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/(?<![\w$.])([a-zA-Z_:][a-zA-Z0-9_:]*)(?!\w)(\s*\()?/g)) {
    const [, word, call] = match;
    if (!word || call || keywords.has(word) || /^\d/.test(word)) continue;
    if (/^(inf|nan)$/i.test(word)) continue;
    names.add(word);
  }
  return [...names];
}
