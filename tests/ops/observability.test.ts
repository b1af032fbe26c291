import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../../scripts/supergraph.ts';
import { catalogueNames, isKnownMetric, seriesNames } from './metric-names.ts';

// The Prometheus and Grafana files under ops/ are read by programs this repository does not run
// in its tests: a wrong metric name or a broken runbook link would show only as an empty panel
// or a silent alert. promtool checks their syntax and the alerts' unit tests in .ci/run; this
// checks them against the code's catalogue and the README.
const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');

interface Rule {
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface Target {
  expr?: string;
  datasource?: { uid?: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos?: { h: number; w: number; x: number; y: number };
  datasource?: { uid?: string };
  targets?: Target[];
}

const prometheus = parse(read('ops/prometheus/prometheus.yml')) as {
  rule_files: string[];
  scrape_configs: { job_name: string; metrics_path?: string; static_configs: { targets: string[] }[] }[];
};
const rules = (parse(read('ops/prometheus/alerts.yml')) as { groups: { rules: Rule[] }[] }).groups.flatMap(
  (group) => group.rules,
);
const alerts = rules.filter((rule): rule is Rule & { alert: string } => rule.alert !== undefined);
const dashboard = JSON.parse(read('ops/grafana/dashboards/walletgraph.json')) as {
  uid: string;
  schemaVersion: number;
  panels: Panel[];
};
const datasources = parse(read('ops/grafana/provisioning/datasources/prometheus.yml')) as {
  datasources: { uid: string; type: string }[];
};
const queryPanels = dashboard.panels.filter((panel) => panel.type !== 'row');
const catalogue = catalogueNames();

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\w\- ]/g, '')
    .replace(/ /g, '-');
}
const readme = read('README.md');
const operateIt = /\n## Operate it\n([\s\S]*?)(?=\n## |$)/.exec(readme)?.[1] ?? '';
const runbookAnchors = new Set(
  [...operateIt.matchAll(/^### (.+)$/gm)].map((match) => anchor(match[1] ?? '')),
);

describe('the metric names checked against docs/metrics.md', () => {
  it('are read from the catalogue, which lists the gateway, subgraph, ledger and transactions metrics', () => {
    for (const name of [
      'walletgraph_gateway_requests_total',
      'walletgraph_outbox_oldest_unpublished_age_seconds',
      'walletgraph_ledger_rejections_total',
      'walletgraph_transactions_settlement_duration_seconds',
    ]) {
      expect(catalogue.has(name), name).toBe(true);
    }
  });

  it('are found in PromQL past functions, matchers, groupings, ranges and strings', () => {
    expect(
      seriesNames(
        'histogram_quantile(0.99, sum by (subgraph, le) (rate(a_seconds_bucket{job="x", q=~"b|c"}[$__rate_interval]))) > 1 ' +
          'and on (subgraph) b_rows offset 1h or label_replace(absent(c_total), "subgraph", "any", "", "")',
      ).sort(),
    ).toEqual(['a_seconds_bucket', 'b_rows', 'c_total']);
  });

  it("take a histogram's _bucket, _sum and _count series as its own, and nothing else by prefix", () => {
    expect(isKnownMetric('walletgraph_gateway_request_duration_seconds_bucket', catalogue)).toBe(true);
    expect(isKnownMetric('walletgraph_gateway_request_duration_seconds_total', catalogue)).toBe(false);
    expect(isKnownMetric('walletgraph_gateway_requests', catalogue)).toBe(false);
  });
});

describe("Prometheus's configuration", () => {
  it('scrapes the gateway, every subgraph and RabbitMQ, each under its job name', () => {
    const jobs = Object.fromEntries(
      prometheus.scrape_configs.map((job) => [job.job_name, job.static_configs[0]?.targets]),
    );
    expect(jobs).toEqual({
      gateway: ['gateway:9464'],
      identity: ['identity:4001'],
      wallet: ['wallet:4002'],
      jars: ['jars:4003'],
      transactions: ['transactions:4004'],
      ledger: ['ledger:4005'],
      rabbitmq: ['rabbitmq:15692'],
    });
  });

  it('loads the alert rules', () => {
    expect(prometheus.rule_files).toEqual(['alerts.yml']);
  });
});

describe('the alert rules', () => {
  it('include every alert the README gives a runbook', () => {
    expect(alerts.map((rule) => anchor(rule.alert)).sort()).toEqual([...runbookAnchors].sort());
  });

  it.each(alerts.map((rule) => [rule.alert, rule] as const))(
    '%s waits, has a severity, a summary and a runbook in "Operate it"',
    (_name, rule) => {
      expect(rule.for).toMatch(/^\d+[smh]$/);
      expect(['critical', 'warning']).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary).toBeTruthy();
      expect(rule.annotations?.description).toBeTruthy();
      const url = rule.annotations?.runbook_url ?? '';
      expect(url).toMatch(/^README\.md#/);
      expect(runbookAnchors.has(url.slice('README.md#'.length)), url).toBe(true);
    },
  );

  it.each(rules.map((rule) => [rule.alert ?? '(recording rule)', rule] as const))(
    '%s queries only catalogue and default metrics',
    (_name, rule) => {
      const names = seriesNames(rule.expr);
      expect(names.length).toBeGreaterThan(0);
      expect(names.filter((name) => !isKnownMetric(name, catalogue))).toEqual([]);
    },
  );
});

describe('the Grafana dashboard', () => {
  const uid = datasources.datasources[0]?.uid;

  it('has a schema version and panels with unique ids, each placed on the grid', () => {
    expect(dashboard.schemaVersion).toBeGreaterThan(30);
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels) {
      expect(panel.gridPos, panel.title).toMatchObject({
        h: expect.any(Number),
        w: expect.any(Number),
        x: expect.any(Number),
        y: expect.any(Number),
      });
      expect((panel.gridPos?.x ?? 0) + (panel.gridPos?.w ?? 0), panel.title).toBeLessThanOrEqual(24);
    }
  });

  it('queries the provisioned Prometheus datasource from every panel', () => {
    expect(datasources.datasources).toHaveLength(1);
    expect(datasources.datasources[0]?.type).toBe('prometheus');
    for (const panel of queryPanels) {
      expect(panel.datasource?.uid, panel.title).toBe(uid);
      for (const target of panel.targets ?? []) expect(target.datasource?.uid ?? uid, panel.title).toBe(uid);
    }
  });

  it.each(queryPanels.map((panel) => [panel.title, panel] as const))(
    '"%s" queries only catalogue and default metrics',
    (_title, panel) => {
      expect(panel.targets?.length).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) {
        const names = seriesNames(target.expr ?? '');
        expect(names.length, target.expr).toBeGreaterThan(0);
        expect(names.filter((name) => !isKnownMetric(name, catalogue))).toEqual([]);
      }
    },
  );
});
