import { defaultPorts, type ListenerName, loadConfig, subgraphNames } from '@walletgraph/platform/config';
import { describe, expect, it } from 'vitest';
import {
  compose,
  documentedSecretKeys,
  type K8sObject,
  ofKind,
  render,
  validateObject,
} from './manifests.ts';
import { appContainer, deploymentOf, environmentOf, secretVolumes, selects } from './pods.ts';

/**
 * deploy/k8s, rendered by kustomize as `kubectl apply -k` would: every object valid for
 * Kubernetes, and the deployment requirements (docs/kubernetes.md) held by what is rendered,
 * not by what the files were meant to say.
 */

const appServices = ['gateway', ...subgraphNames] as const;
const documented = documentedSecretKeys();
const rendered = { base: render('base'), 'overlays/dev': render('overlays/dev') };

describe.each(['base', 'overlays/dev'] as const)('deploy/k8s/%s, rendered', (kustomization) => {
  const objects = rendered[kustomization];
  const deployments = ofKind(objects, 'Deployment');

  it('is made only of objects valid against the Kubernetes schemas', async () => {
    expect(objects.length).toBeGreaterThan(0);
    for (const object of objects) await validateObject(object);
  });

  it('holds no Secret: the two secrets are created in the cluster, never committed', () => {
    expect(ofKind(objects, 'Secret')).toEqual([]);
  });

  it('runs the gateway and every subgraph', () => {
    expect(deployments.map((d) => d.metadata.name)).toEqual(expect.arrayContaining([...appServices]));
  });

  it.each(appServices)('gives %s a PodDisruptionBudget and a CPU HorizontalPodAutoscaler', (name) => {
    const deployment = deploymentOf(objects, name);
    const pdbs = ofKind(objects, 'PodDisruptionBudget').filter((p) =>
      selects(p.spec.selector.matchLabels, deployment),
    );
    expect(pdbs).toHaveLength(1);
    const hpas = ofKind(objects, 'HorizontalPodAutoscaler').filter(
      (h) => h.spec.scaleTargetRef.kind === 'Deployment' && h.spec.scaleTargetRef.name === name,
    );
    expect(hpas).toHaveLength(1);
    expect(hpas[0]?.spec.metrics.map((m: { resource: { name: string } }) => m.resource.name)).toEqual([
      'cpu',
    ]);
    // A count in the Deployment would reset the autoscaler's at every apply.
    expect(deployment.spec.replicas).toBeUndefined();
  });

  it('probes every service on /readyz for readiness and /healthz for liveness and start-up, on its serving port', () => {
    for (const d of deployments) {
      const c = appContainer(d);
      const http = c.ports.find((p: { name: string }) => p.name === 'http');
      expect(http.containerPort, d.metadata.name).toBe(defaultPorts[d.metadata.name as ListenerName]);
      expect(c.readinessProbe.httpGet, d.metadata.name).toEqual({ path: '/readyz', port: 'http' });
      expect(c.livenessProbe.httpGet, d.metadata.name).toEqual({ path: '/healthz', port: 'http' });
      expect(c.startupProbe.httpGet, d.metadata.name).toEqual({ path: '/healthz', port: 'http' });
    }
  });

  it('sets requests and limits of CPU and memory on every container', () => {
    for (const d of deployments) {
      const { requests, limits } = appContainer(d).resources;
      for (const r of ['cpu', 'memory']) {
        expect(requests[r], `${d.metadata.name} requests ${r}`).toBeDefined();
        expect(limits[r], `${d.metadata.name} limits ${r}`).toBeDefined();
      }
    }
  });

  it('runs every container as non-root, read-only, without capabilities, under the default seccomp profile', () => {
    for (const d of deployments) {
      const pod = d.spec.template.spec;
      expect(pod.securityContext, d.metadata.name).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(appContainer(d).securityContext, d.metadata.name).toEqual({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
    }
  });

  it("gives every pod compose's stop grace period and no Service environment variables, which would collide with the *_PORT settings", () => {
    const grace = Number.parseInt(compose()['x-app'].stop_grace_period, 10);
    for (const d of deployments) {
      expect(d.spec.template.spec.terminationGracePeriodSeconds, d.metadata.name).toBe(grace);
      expect(d.spec.template.spec.enableServiceLinks, d.metadata.name).toBe(false);
    }
  });

  it('exposes only the gateway: one Ingress to its Service, and every Service internal', () => {
    for (const s of ofKind(objects, 'Service')) expect(s.spec.type, s.metadata.name).toBe('ClusterIP');
    const backends = ofKind(objects, 'Ingress').flatMap((i) =>
      i.spec.rules.flatMap((r: { http: { paths: { backend: { service: { name: string } } }[] } }) =>
        r.http.paths.map((p) => p.backend.service.name),
      ),
    );
    expect(new Set(backends)).toEqual(new Set(['gateway']));
    const gatewayService = ofKind(objects, 'Service').find((s) => s.metadata.name === 'gateway');
    expect(selects(gatewayService?.spec.selector, deploymentOf(objects, 'gateway'))).toBe(true);
  });

  it('lets traffic from anywhere reach the gateway alone, every other pod only what a policy admits', () => {
    const policies = ofKind(objects, 'NetworkPolicy');
    for (const d of deployments) {
      const covering = policies.filter((p) => selects(p.spec.podSelector.matchLabels, d));
      expect(covering.length, `${d.metadata.name} is under a policy (deny unless admitted)`).toBeGreaterThan(
        0,
      );
      const open = covering.filter((p) =>
        (p.spec.ingress ?? []).some((rule: { from?: unknown[] }) => !rule.from || rule.from.length === 0),
      );
      expect(open.length > 0, `${d.metadata.name} open to anywhere`).toBe(d.metadata.name === 'gateway');
    }
  });

  it('points every Service at the pods and named port of one Deployment', () => {
    for (const s of ofKind(objects, 'Service')) {
      const targets = deployments.filter((d) => selects(s.spec.selector, d));
      expect(targets.map((d) => d.metadata.name)).toEqual([s.metadata.name]);
      const names = appContainer(targets[0] as K8sObject).ports.map((p: { name: string }) => p.name);
      for (const p of s.spec.ports) expect(names).toContain(p.targetPort);
    }
  });

  it('mounts the signing key from its own secret, read-only, into identity alone, named to the app by SIGNING_KEY_ENCRYPTION_KEY_FILE', () => {
    for (const d of deployments) {
      const mounted = secretVolumes(d).filter((v) => v.secret.secretName === 'walletgraph-signing-key');
      if (d.metadata.name !== 'identity') {
        expect(mounted, d.metadata.name).toEqual([]);
        continue;
      }
      expect(mounted).toHaveLength(1);
      const c = appContainer(d);
      const mount = c.volumeMounts.find((m: { name: string }) => m.name === mounted[0].name);
      expect(mount.readOnly).toBe(true);
      expect(c.env.map((e: { name: string }) => e.name)).not.toContain('SIGNING_KEY_ENCRYPTION_KEY');
      const file = c.env.find((e: { name: string }) => e.name === 'SIGNING_KEY_ENCRYPTION_KEY_FILE');
      expect(file?.value).toBe(`${mount.mountPath}/${mounted[0].secret.items[0].path}`);
    }
  });

  it('takes secrets only by key, each a key docs/kubernetes.md documents, and each service its own broker user', () => {
    for (const d of deployments) {
      const c = appContainer(d);
      expect(c.envFrom?.filter((s: { secretRef?: unknown }) => s.secretRef) ?? [], d.metadata.name).toEqual(
        [],
      );
      for (const { name, valueFrom } of c.env ?? []) {
        const ref = valueFrom?.secretKeyRef;
        if (!ref) continue;
        expect(documented.get(ref.name)?.has(ref.key), `${d.metadata.name}: ${ref.name}/${ref.key}`).toBe(
          true,
        );
        if (name === 'AMQP_URL') expect(ref.key).toBe(`${d.metadata.name.toUpperCase()}_AMQP_URL`);
      }
      for (const v of secretVolumes(d)) {
        for (const item of v.secret.items)
          expect(documented.get(v.secret.secretName)?.has(item.key)).toBe(true);
      }
    }
  });

  it.each(deployments.map((d) => d.metadata.name))(
    "starts %s with settings the app's config accepts, every one of them known",
    (name) => {
      const env = environmentOf(deploymentOf(objects, name), objects);
      const config = loadConfig(env);
      // zod drops what the schema does not name, so a misspelt setting is missing here.
      expect(Object.keys(env).filter((key) => !(key in config))).toEqual([]);
      if (name !== 'biller')
        expect(config).toMatchObject({ mode: 'real', isProduction: true, HOST: '0.0.0.0' });
    },
  );

  it('has Prometheus scrape each service at /metrics on one of its container ports', () => {
    for (const d of deployments.filter((d) => d.metadata.name !== 'biller')) {
      const annotations = d.spec.template.metadata.annotations;
      expect(annotations['prometheus.io/scrape'], d.metadata.name).toBe('true');
      expect(annotations['prometheus.io/path'], d.metadata.name).toBe('/metrics');
      const ports = appContainer(d).ports.map((p: { containerPort: number }) => String(p.containerPort));
      expect(ports, d.metadata.name).toContain(annotations['prometheus.io/port']);
    }
  });
});

describe('the dev overlay', () => {
  const objects = rendered['overlays/dev'];

  it('puts every namespaced object in walletgraph-dev', () => {
    for (const o of objects.filter((o) => o.kind !== 'Namespace')) {
      expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBe('walletgraph-dev');
    }
  });

  it('runs one replica of each service, the simulated biller among them, from a tagged image', () => {
    for (const h of ofKind(objects, 'HorizontalPodAutoscaler'))
      expect(h.spec.minReplicas, h.metadata.name).toBe(1);
    for (const d of ofKind(objects, 'Deployment')) {
      const scaled = appServices.includes(d.metadata.name as (typeof appServices)[number]);
      if (!scaled) expect(d.spec.replicas, d.metadata.name).toBe(1);
      expect(appContainer(d).image, d.metadata.name).toMatch(/:[\w.-]+$/);
    }
    expect(ofKind(objects, 'Deployment').map((d) => d.metadata.name)).toContain('biller');
  });

  it('sends bill payments to its biller', () => {
    const env = environmentOf(deploymentOf(objects, 'transactions'), objects);
    expect(env.BILLER_URL).toBe(`http://biller:${defaultPorts.biller}`);
  });

  it('leaves the simulated biller out of the base', () => {
    expect(ofKind(rendered.base, 'Deployment').map((d) => d.metadata.name)).not.toContain('biller');
  });
});

describe('the schema check', () => {
  it('refuses an object that breaks its schema, and a kind it has no schema for', async () => {
    const broken = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'x' },
      spec: { replicas: 'two' },
    };
    await expect(validateObject(broken)).rejects.toThrow(/replicas/);
    const unknown = { apiVersion: 'v1', kind: 'Widget', metadata: { name: 'x' } };
    await expect(validateObject(unknown)).rejects.toThrow(/no schema for v1 Widget/);
  });
});
