import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { subgraphNames, subgraphUrl } from '@walletgraph/platform/config';
import type { TestStack } from '@walletgraph/tests/support/stack';
import { readyLine, stopChild } from './child.ts';

/**
 * Hive Gateway (the Guild's federation gateway) beside a test stack: a child process
 * (hive-gateway.ts) serving the committed supergraph, its routing URLs rewritten to the stack's
 * subgraphs. Disposing it stops the child and removes the rewritten supergraph.
 */

const supergraphFile = fileURLToPath(new URL('../gateway/supergraph.graphql', import.meta.url));
const childScript = fileURLToPath(new URL('./hive-gateway.ts', import.meta.url));
const READY_TIMEOUT_MS = 60_000;

export interface HiveGateway extends AsyncDisposable {
  url: string;
  pid: number;
}

/**
 * The committed supergraph with each `@join__graph(name: …, url: …)` pointing at the stack's
 * subgraph of that name (the committed URLs are the default ports; a test stack runs on others).
 */
export function supergraphFor(stack: TestStack): string {
  const sdl = readFileSync(supergraphFile, 'utf8');
  const rewritten = new Set<string>();
  const result = sdl.replace(/@join__graph\(name: "([a-z]+)", url: "[^"]*"\)/g, (_whole, name: string) => {
    const known = subgraphNames.find((n) => n === name);
    if (!known) throw new Error(`the supergraph names a subgraph "${name}" the stack does not run`);
    rewritten.add(name);
    return `@join__graph(name: "${name}", url: "${subgraphUrl(stack.config, known)}")`;
  });
  const missing = subgraphNames.filter((n) => !rewritten.has(n));
  if (missing.length > 0) throw new Error(`no @join__graph URL rewritten for ${missing.join(', ')}`);
  return result;
}

/** Starts Hive Gateway over the stack's subgraphs; resolves once it serves. */
export async function startHiveGateway(
  stack: TestStack,
  options: { nodeOptions?: string } = {},
): Promise<HiveGateway> {
  const dir = mkdtempSync(join(os.tmpdir(), 'wgbench-hive-'));
  const supergraph = join(dir, 'supergraph.graphql');
  writeFileSync(supergraph, supergraphFor(stack));
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'development' };
  if (options.nodeOptions) env.NODE_OPTIONS = options.nodeOptions;
  const child = spawn(process.execPath, [childScript, supergraph], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stop = async () => {
    try {
      await stopChild(child);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    const { url } = await readyLine<{ url: string }>(
      child,
      'hive-gateway ready',
      'hive-gateway',
      READY_TIMEOUT_MS,
    );
    return { url, pid: child.pid!, [Symbol.asyncDispose]: stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Versions of the two gateways compared, as installed. */
export function gatewayVersions(): {
  hiveRuntime: string;
  hiveHttpTransport: string;
  apolloGateway: string;
  apolloServer: string;
} {
  const version = (modules: string, name: string) => {
    try {
      const pkg = JSON.parse(readFileSync(join(modules, name, 'package.json'), 'utf8')) as {
        version: string;
      };
      return pkg.version;
    } catch {
      return 'unknown';
    }
  };
  const bench = fileURLToPath(new URL('./node_modules', import.meta.url));
  const gateway = fileURLToPath(new URL('../gateway/node_modules', import.meta.url));
  return {
    hiveRuntime: version(bench, '@graphql-hive/gateway-runtime'),
    hiveHttpTransport: version(bench, '@graphql-mesh/transport-http'),
    apolloGateway: version(gateway, '@apollo/gateway'),
    apolloServer: version(gateway, '@apollo/server'),
  };
}
