import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type K8sObject, ofKind } from './manifests.ts';

// Reading rendered Deployments: their container, its environment, their secret volumes.

/** Stand-ins for a documented secret key, of the shape production accepts (config.ts). */
function placeholderSecret(key: string): string {
  if (key === 'DATABASE_URL') return 'postgres://walletgraph:placeholder@postgres:5432/postgres';
  if (key === 'REDIS_URL') return 'redis://:placeholder@redis:6379';
  if (key === 'SMTP_URL') return 'smtp://walletgraph:placeholder@mail:587';
  if (key === 'SIGNING_KEY_ENCRYPTION_KEY') return Buffer.alloc(32, 7).toString('base64');
  const service = /^([A-Z]+)_AMQP_URL$/.exec(key)?.[1]?.toLowerCase();
  if (service) return `amqp://walletgraph-${service}:placeholder@rabbitmq:5672`;
  throw new Error(`no placeholder for the secret key ${key}`);
}

// biome-ignore lint/suspicious/noExplicitAny: a rendered container
type Container = any;

/** A Deployment's one container (every walletgraph pod runs one, `app`). */
export function appContainer(deployment: K8sObject): Container {
  const [container, ...others] = deployment.spec.template.spec.containers;
  if (others.length > 0) throw new Error(`${deployment.metadata.name} runs more than one container`);
  return container;
}

/**
 * The environment one Deployment's container starts with, secrets replaced by stand-ins: a
 * setting naming a file of a mounted secret (`*_FILE`) names a copy in `files` holding its stand-in.
 */
export function environmentOf(
  deployment: K8sObject,
  objects: K8sObject[],
  files: string = secretCopies(),
): Record<string, string> {
  const container = appContainer(deployment);
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const map = ofKind(objects, 'ConfigMap').find((c) => c.metadata.name === source.configMapRef?.name);
    if (!map) throw new Error(`${deployment.metadata.name}: envFrom names no rendered ConfigMap`);
    Object.assign(env, map.data);
  }
  for (const { name, value, valueFrom } of container.env ?? []) {
    env[name] = valueFrom ? placeholderSecret(valueFrom.secretKeyRef.key) : value;
  }
  const mounted = new Map<string, string>();
  for (const volume of secretVolumes(deployment)) {
    const mount = container.volumeMounts?.find((m: { name: string }) => m.name === volume.name);
    for (const item of mount ? volume.secret.items : []) {
      const copy = join(files, `${volume.name}-${item.path}`);
      writeFileSync(copy, `${placeholderSecret(item.key)}\n`);
      mounted.set(`${mount.mountPath}/${item.path}`, copy);
    }
  }
  for (const [name, value] of Object.entries(env)) {
    if (name.endsWith('_FILE')) env[name] = mounted.get(value) ?? value;
  }
  return env;
}

let copies: string | undefined;

/** One folder per test process for the stand-ins of mounted secret files, removed at exit. */
function secretCopies(): string {
  if (copies === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'walletgraph-k8s-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    copies = dir;
  }
  return copies;
}

/** The volumes of a Deployment's pods that are Secrets. */
// biome-ignore lint/suspicious/noExplicitAny: rendered volumes
export function secretVolumes(deployment: K8sObject): any[] {
  // biome-ignore lint/suspicious/noExplicitAny: rendered volumes
  return (deployment.spec.template.spec.volumes ?? []).filter((v: any) => v.secret);
}

/** The Deployment of that name; throws if there is none. */
export function deploymentOf(objects: K8sObject[], name: string): K8sObject {
  const found = ofKind(objects, 'Deployment').find((d) => d.metadata.name === name);
  if (!found) throw new Error(`no Deployment ${name}`);
  return found;
}

/** Whether a selector's labels all sit on a Deployment's pods. */
export function selects(selector: Record<string, string>, deployment: K8sObject): boolean {
  const labels = deployment.spec.template.metadata.labels;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}
