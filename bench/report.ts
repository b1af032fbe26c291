import { readFileSync } from 'node:fs';
import type { ScenarioResult, Table } from './support.ts';

/** Where and on what the numbers were measured: the header of every report. */
export interface Machine {
  date: string;
  cores: number;
  cpu: string;
  memoryGiB: number;
  node: string;
  platform: string;
  commit: string;
}

export interface ScenarioOutcome {
  name: string;
  title: string;
  seconds: number;
  /** 1-minute load average before and after: a loaded machine explains slow runs. */
  load: [number, number];
  result?: ScenarioResult;
  error?: string;
}

export function renderReport(
  machine: Machine,
  outcomes: readonly ScenarioOutcome[],
  seconds: number,
): string {
  const lines = [
    '# walletgraph benchmarks',
    '',
    'Written by `pnpm bench` (overwritten on each run). Every ratio compares measurements taken side by ' +
      'side in this one run, on this machine; absolute numbers only mean something next to each other.',
    '',
    `- date: ${machine.date}`,
    `- machine: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB memory, ${machine.platform}`,
    `- node: ${machine.node}`,
    `- commit: ${machine.commit}`,
    `- scenarios: ${outcomes.map((o) => o.name).join(', ')} (${seconds.toFixed(0)} s in all)`,
    '',
  ];
  for (const o of outcomes) lines.push(...renderScenario(o), '');
  // What the profiles found and what each step changed: written by hand, kept with the numbers.
  lines.push(readFileSync(new URL('./findings.md', import.meta.url), 'utf8'));
  return `${lines.join('\n').trimEnd()}\n`;
}

export function renderScenario(outcome: ScenarioOutcome): string[] {
  const lines = [`## ${outcome.name}: ${outcome.title}`, ''];
  if (outcome.error !== undefined) {
    lines.push(`**FAILED** after ${outcome.seconds.toFixed(1)} s:`, '', '```', outcome.error, '```');
    return lines;
  }
  const result = outcome.result!;
  for (const table of result.tables) lines.push(...renderTable(table), '');
  for (const ratio of result.ratios) lines.push(`- **${ratio.label}: ${ratio.value.toFixed(2)}×**`);
  if (result.ratios.length > 0) lines.push('');
  for (const note of result.notes) lines.push(`> ${note}`, '>');
  if (result.notes.length > 0) lines.pop();
  lines.push(
    '',
    `_${outcome.seconds.toFixed(1)} s including setup and cleanup; 1-minute load average ` +
      `${outcome.load[0].toFixed(2)} before, ${outcome.load[1].toFixed(2)} after._`,
  );
  return lines;
}

/** A Markdown table with padded columns, readable both rendered and in a terminal. */
export function renderTable(table: Table): string[] {
  const all = [table.columns, ...table.rows];
  const widths = table.columns.map((_, i) => Math.max(3, ...all.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${widths.map((w, i) => (i === 0 ? (cells[i] ?? '').padEnd(w) : (cells[i] ?? '').padStart(w))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  return [`**${table.title}**`, '', line(table.columns), rule, ...table.rows.map(line)];
}
