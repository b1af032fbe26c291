import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { type Behaviour, behaviourChange, seededRandom } from './behaviour.ts';
import { billers, findBiller } from './catalog.ts';
import { customerNameOf, scenarioOf } from './outcomes.ts';
import { type Answer, createPaymentDesk, paymentRequest } from './payments.ts';

export interface BillerServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Initial switches; default no latency, no failures, up, 30 s hangs. */
  behaviour?: Partial<Behaviour>;
  /** Seed of the failure-rate draws; default 1. */
  seed?: number;
}

export interface BillerServer {
  readonly url: string;
  readonly server: Server;
  stop(): Promise<void>;
}

const bodyLimitBytes = 16 * 1024;

/**
 * The simulated biller over HTTP (docs/biller.md): catalog, validation, idempotent payments,
 * status queries, probes, and the admin switches. Plain node:http: six routes need no framework,
 * and the payment path must treat it as any remote biller.
 */
export async function startBillerServer(options: BillerServerOptions): Promise<BillerServer> {
  let behaviour: Behaviour = {
    latencyMs: 0,
    failureRate: 0,
    down: false,
    hangMs: 30_000,
    ...options.behaviour,
  };
  let random = seededRandom(options.seed ?? 1);
  // Aborted on stop: hanging answers must not hold a shutdown for their whole hang.
  const stopping = new AbortController();
  const wait = (ms: number) => sleep(ms, undefined, { signal: stopping.signal });
  const desk = createPaymentDesk({ behaviour: () => behaviour, random: () => random(), wait });

  async function api(method: string, path: string, readBody: () => Promise<unknown>): Promise<Answer> {
    if (method === 'GET' && path === '/billers') return { status: 200, body: billers };
    const validation = path.match(/^\/billers\/([^/]+)\/validations$/);
    if (method === 'POST' && validation) {
      const biller = findBiller(pathParam(validation[1]!));
      if (!biller) return { status: 404, body: { code: 'UNKNOWN_BILLER', message: 'no such biller' } };
      const parsed = validationRequest.safeParse(await readBody());
      if (!parsed.success) return badRequest(issues(parsed.error.issues));
      const { reference } = parsed.data;
      if (scenarioOf(biller, reference) === 'INVALID_REFERENCE') {
        const message = `not a ${biller.reference.label.toLowerCase()} ${biller.name} knows`;
        return { status: 422, body: { code: 'INVALID_REFERENCE', message } };
      }
      return { status: 200, body: { customerName: customerNameOf(biller, reference) } };
    }
    if (method === 'POST' && path === '/payments') {
      const parsed = paymentRequest.safeParse(await readBody());
      if (!parsed.success) return badRequest(issues(parsed.error.issues));
      return desk.pay(parsed.data);
    }
    const status = path.match(/^\/payments\/([^/]+)$/);
    if (method === 'GET' && status) return { status: 200, body: desk.status(pathParam(status[1]!)) };
    return { status: 404, body: { code: 'NOT_FOUND', message: `${method} ${path} is not a biller route` } };
  }

  function admin(method: string, path: string, body: unknown): Answer {
    if (path === '/admin/behaviour' && method === 'GET') return { status: 200, body: behaviour };
    if (path === '/admin/behaviour' && method === 'PUT') {
      const parsed = behaviourChange.safeParse(body);
      if (!parsed.success) return badRequest(issues(parsed.error.issues));
      const { seed, ...switches } = parsed.data;
      behaviour = { ...behaviour, ...switches };
      if (seed !== undefined) random = seededRandom(seed);
      return { status: 200, body: behaviour };
    }
    if (path === '/admin/payments' && method === 'GET') return { status: 200, body: desk.summary() };
    return { status: 404, body: { code: 'NOT_FOUND', message: `${method} ${path} is not a biller route` } };
  }

  async function handle(req: IncomingMessage): Promise<Answer> {
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://biller').pathname;
    const readBody = () => readJson(req);
    if (path.startsWith('/admin/')) return admin(method, path, method === 'PUT' ? await readBody() : null);
    // Alive even when down: "down" plays a biller whose API fails, not a dead process.
    if (path === '/healthz') return { status: 200, body: { status: 'ok' } };
    if (behaviour.latencyMs > 0) await wait(behaviour.latencyMs);
    if (behaviour.down) return { status: 503, body: { code: 'UNAVAILABLE', message: 'biller is down' } };
    if (path === '/readyz') return { status: 200, body: { status: 'ready' } };
    return api(method, path, readBody);
  }

  const server = createServer((req, res) => {
    handle(req).then(
      (answer) => send(res, answer),
      (error: unknown) => {
        if (stopping.signal.aborted) return void res.destroy();
        if (error instanceof BadRequest) return send(res, badRequest(error.message));
        send(res, { status: 500, body: { code: 'INTERNAL_ERROR', message: 'unexpected failure' } });
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    server,
    async stop() {
      stopping.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

class BadRequest extends Error {}

const validationRequest = z.object({ reference: z.string().min(1).max(100) });

function pathParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new BadRequest(`path: ${raw} is not URL-encoded`);
  }
}

function badRequest(message: string): Answer {
  return { status: 400, body: { code: 'BAD_REQUEST', message } };
}

function issues(list: readonly { path: PropertyKey[]; message: string }[]): string {
  return list.map((issue) => `${issue.path.map(String).join('.') || 'body'}: ${issue.message}`).join('; ');
}

function send(res: ServerResponse, { status, body }: Answer): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > bodyLimitBytes) throw new BadRequest(`body larger than ${bodyLimitBytes} bytes`);
    chunks.push(chunk);
  }
  if (size === 0) return null;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new BadRequest('body: not JSON');
  }
}
