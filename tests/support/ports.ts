import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * The range the OS hands out for outgoing connections (Linux: ip_local_port_range). A port
 * picked inside it can be taken by any outgoing connection (to Postgres, say) between the
 * moment it is found free and the moment a service binds it; outside it, only another listener
 * can take it.
 */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    if (low && high) return [low, high];
  } catch {
    // Not Linux: the IANA dynamic range.
  }
  return [49152, 65535];
}

const [ephemeralLow] = ephemeralRange();
/** Ports below the ephemeral range and above the well-known services'. */
const range: [number, number] = [Math.max(10_000, ephemeralLow - 20_000), ephemeralLow - 1];

/** Whether a port can be listened on, on loopback, right now. */
function listenable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * The part of the range this process draws from: test files run in several worker processes at
 * once (vitest's VITEST_POOL_ID, 1…n), and two workers drawing from one range could each find
 * the same port free before either service has bound it.
 */
function slice(): [number, number] {
  const worker = Number(process.env.VITEST_POOL_ID ?? 0);
  if (!Number.isInteger(worker) || worker < 1) return range;
  const slices = 16;
  const size = Math.floor((range[1] - range[0]) / slices);
  const start = range[0] + ((worker - 1) % slices) * size;
  return [start, start + size];
}

const [low, high] = slice();
/** Every port this process handed out: a stack asks for six at once, before any is bound. */
const handedOut = new Set<number>();

/**
 * A TCP port free on loopback right now, chosen below the OS's ephemeral range so that no
 * outgoing connection takes it before the service that was given it binds it, never one this
 * process handed out before, and from this worker's own part of the range.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (handedOut.has(port)) continue;
    if (await listenable(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port found in ${low}-${high}`);
}
