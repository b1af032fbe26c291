import type { Receipt } from '../src/outcomes.ts';
import { type BillerServerOptions, startBillerServer } from '../src/server.ts';

/** The fields tests read from the biller's JSON answers; each route fills some of them. */
export interface AnswerBody {
  status?: string;
  code?: string;
  message?: string;
  receipt?: Receipt;
  charges?: number;
  down?: boolean;
}

export interface Answered<Body = AnswerBody> {
  status: number;
  body: Body;
}

export interface BillerUnderTest extends AsyncDisposable {
  url: string;
  /** Calls the biller; `body` is sent as JSON. Answers the status and the parsed body. */
  call<Body = AnswerBody>(method: string, path: string, body?: unknown): Promise<Answered<Body>>;
  /** A payment of `minorUnits` ZAR to the Metro Power meter `reference`. */
  pay(paymentId: string, reference: string, minorUnits?: string): Promise<Answered>;
}

/** A biller on a free port, stopped when the test's `await using` scope ends. */
export async function startTestBiller(options: Partial<BillerServerOptions> = {}): Promise<BillerUnderTest> {
  const biller = await startBillerServer({ port: 0, ...options });
  const call = async <Body = AnswerBody>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<Answered<Body>> => {
    const res = await fetch(`${biller.url}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    return { status: res.status, body: (await res.json()) as Body };
  };
  return {
    url: biller.url,
    call,
    pay: (paymentId, reference, minorUnits = '5000') =>
      call('POST', '/payments', {
        paymentId,
        billerId: 'metro-power',
        reference,
        amount: { minorUnits, currency: 'ZAR' },
      }),
    [Symbol.asyncDispose]: () => biller.stop(),
  };
}
