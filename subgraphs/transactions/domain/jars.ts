import { DomainError } from '@walletgraph/platform/errors';
import type { JarId } from '@walletgraph/platform/ids';
import type { JarProjectionRow } from '../db/schema.ts';
import type { OperationParties, WalletState } from './operations.ts';
import { type JarRequest, jarField, type Requested } from './requests.ts';

/** What the rules need to know of a jar (the `jar_projection` row). */
export type JarState = Pick<JarProjectionRow, 'jarId' | 'walletId' | 'ownerId' | 'currency' | 'status'>;

/** The state a jar move is decided on: the jars it names and the wallet holding its jar, as found. */
export interface JarMoveState {
  jar: JarState | null;
  /** A move's target; null for the other kinds (and for a target that is unknown). */
  toJar: JarState | null;
  /** The wallet of `jar`; null when the jar or its wallet is unknown. */
  wallet: WalletState | null;
}

/**
 * The caller may move money only with their own, active jars, in their currency; a move stays
 * within one wallet. Another user's jar answers exactly as an unknown one (NOT_FOUND naming the
 * field), before its status, wallet or currency can tell anything about it. A wallet not known
 * yet (its `wallet.opened.v1` still on its way) is not taken as archived: the ledger refuses
 * postings to an archived wallet's accounts anyway, and the operation then settles FAILED.
 * The operation is on the jars' wallet.
 */
export function authorizeJarMove(
  request: JarRequest | (Requested & { kind: 'BILL_PAYMENT'; jarId: JarId | null }),
  state: JarMoveState,
  viewerId: string,
): OperationParties {
  const field = jarField(request.kind);
  const jar = ownJar(state.jar, viewerId, field);
  const toJar = request.kind === 'JAR_MOVE' ? ownJar(state.toJar, viewerId, 'input.toJarId') : null;
  if (toJar && toJar.walletId !== jar.walletId) {
    throw new DomainError('BAD_USER_INPUT', 'input.toJarId: jars must be in the same wallet', {
      field: 'input.toJarId',
    });
  }
  activeJar(jar, field);
  if (toJar) activeJar(toJar, 'input.toJarId');
  if (state.wallet?.status === 'ARCHIVED') {
    throw new DomainError(
      'WALLET_ARCHIVED',
      `${field}: the jar's wallet is archived and accepts no operations`,
      {
        field,
      },
    );
  }
  if (jar.currency !== request.amount.currency) {
    throw new DomainError(
      'CURRENCY_MISMATCH',
      `input.amount.currency: the jar holds ${jar.currency}, not ${request.amount.currency}`,
      { field: 'input.amount.currency' },
    );
  }
  return {
    source: { walletId: jar.walletId, ownerId: jar.ownerId },
    recipient: null,
    jarId: jar.jarId,
    counterpartyJarId: toJar?.jarId ?? null,
  };
}

function ownJar(jar: JarState | null, viewerId: string, field: string): JarState {
  if (!jar || jar.ownerId !== viewerId)
    throw new DomainError('NOT_FOUND', `${field}: jar not found`, { field });
  return jar;
}

function activeJar(jar: JarState, field: string): void {
  if (jar.status !== 'ACTIVE') {
    throw new DomainError('JAR_ARCHIVED', `${field}: the jar is archived and accepts no moves`, { field });
  }
}
