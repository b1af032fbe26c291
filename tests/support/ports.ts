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
 * A TCP port free on loopback right now, chosen below the OS's ephemeral range so that no
 * outgoing connection takes it before the service that was given it binds it.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = range[0] + Math.floor(Math.random() * (range[1] - range[0]));
    if (await listenable(port)) return port;
  }
  throw new Error(`no free port found in ${range[0]}-${range[1]}`);
}
