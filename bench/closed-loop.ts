import { Agent, request } from 'node:http';

/**
 * GraphQL over plain HTTP for load generation: one POST per request over keep-alive connections,
 * the body serialized once, so the load generator spends as little CPU per request as it can on
 * a machine it shares with what it measures.
 */

/** A request's data, or what went wrong with it (the kind of failure, counted as such). */
export type Answer = { data: unknown } | { failure: string };

const REQUEST_TIMEOUT_MS = 30_000;
/** A bound on each client's loop besides its duration. */
const MAX_REQUESTS_PER_CLIENT = 1_000_000;

/**
 * POSTs `body` to `url` with the bearer `token`. Anything but HTTP 200 with `data` and no
 * `errors` is a failure; `check` (when given) judges the data.
 */
export function post(
  agent: Agent,
  url: string,
  body: string,
  token: string,
  check?: (data: unknown) => string | undefined,
): Promise<Answer> {
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${token}`,
        },
        timeout: REQUEST_TIMEOUT_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => resolve({ failure: `no answer: ${error.message}` }));
        res.on('end', () =>
          resolve(judge(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), check)),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', (error) => resolve({ failure: `no answer: ${error.message}` }));
    req.end(body);
  });
}

function judge(status: number, text: string, check?: (data: unknown) => string | undefined): Answer {
  let json: { data?: unknown; errors?: { message?: string; extensions?: { code?: string } }[] };
  try {
    json = JSON.parse(text);
  } catch {
    return { failure: `HTTP ${status}, not JSON` };
  }
  const error = json.errors?.[0];
  if (error) {
    const message = error.message?.slice(0, 80);
    return { failure: `HTTP ${status}, GraphQL error ${error.extensions?.code ?? ''} "${message}"` };
  }
  if (status !== 200) return { failure: `HTTP ${status}` };
  if (json.data === undefined || json.data === null) return { failure: `HTTP ${status} without data` };
  const wrong = check?.(json.data);
  return wrong === undefined ? { data: json.data } : { failure: `unexpected data: ${wrong}` };
}

export interface LoopRun {
  seconds: number;
  sent: number;
  /** Latency of each request answered correctly, in ms. */
  latencies: number[];
  /** Count per kind of failure. */
  failures: Map<string, number>;
}

/**
 * `clients` closed-loop clients for `seconds`: each sends its next request as soon as the last
 * one is answered. `attempt(client, n)` makes client's nth request and answers null when it was
 * answered correctly (its latency is kept) or the kind of failure (counted). Seconds run from
 * the first request to the last answer; clients still busy `graceMs` past the end fail the run.
 */
export async function loadLoop(options: {
  clients: number;
  seconds: number;
  graceMs: number;
  attempt: (client: number, n: number) => Promise<string | null>;
  label?: string;
}): Promise<LoopRun> {
  const { clients, seconds, graceMs, attempt } = options;
  const latencies: number[] = [];
  const failures = new Map<string, number>();
  let sent = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  const client = async (i: number) => {
    for (let n = 0; n < MAX_REQUESTS_PER_CLIENT && performance.now() < end; n++) {
      sent++;
      const before = performance.now();
      const failure = await attempt(i, n);
      if (failure === null) latencies.push(performance.now() - before);
      else failures.set(failure, (failures.get(failure) ?? 0) + 1);
    }
  };
  let timer: NodeJS.Timeout | undefined;
  const limitMs = seconds * 1000 + graceMs;
  const late = new Promise<never>((_, reject) => {
    const prefix = options.label ? `${options.label}: ` : '';
    timer = setTimeout(() => reject(new Error(`${prefix}clients still busy after ${limitMs} ms`)), limitMs);
  });
  try {
    await Promise.race([Promise.all(Array.from({ length: clients }, (_, i) => client(i))), late]);
  } finally {
    clearTimeout(timer);
  }
  return { seconds: (performance.now() - t0) / 1000, sent, latencies, failures };
}

/**
 * `clients` closed-loop clients POSTing `body` to `url` for `seconds`. Each request carries the
 * next token in turn (round-robin over all of them, shared by the clients), so no two requests
 * in a row, and none of those in flight together while there are more tokens than clients, are
 * the same user's.
 */
export async function closedLoop(options: {
  url: string;
  body: string;
  tokens: readonly string[];
  clients: number;
  seconds: number;
  /** Judges an answer's data, given the index of the token (the user) it was asked with. */
  check: (data: unknown, user: number) => string | undefined;
}): Promise<LoopRun> {
  const { url, body, tokens, clients, seconds, check } = options;
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  let turn = 0;
  try {
    return await loadLoop({
      clients,
      seconds,
      graceMs: REQUEST_TIMEOUT_MS + 10_000,
      async attempt() {
        const user = turn++ % tokens.length;
        const answer = await post(agent, url, body, tokens[user]!, (data) => check(data, user));
        return 'data' in answer ? null : answer.failure;
      },
    });
  } finally {
    agent.destroy();
  }
}

/**
 * Runs each of `runs` twice, in mirrored order (a, b, c, c, b, a): `abba` (support.ts) for any
 * number, so a load that drifts during the run weighs on all alike. Answers both runs of each.
 */
export async function mirrored<T>(runs: readonly (() => Promise<T>)[]): Promise<[T, T][]> {
  const first: T[] = [];
  for (const run of runs) first.push(await run());
  const second: T[] = new Array(runs.length);
  for (let i = runs.length - 1; i >= 0; i--) second[i] = await runs[i]!();
  return first.map((t, i) => [t, second[i]!]);
}
