import { preparedQuery } from '@walletgraph/platform/db/prepared';
import type { JarId, WalletId } from '@walletgraph/platform/ids';
import { readProjection } from '@walletgraph/platform/projection-read';
import { and, desc, eq, sql } from 'drizzle-orm';
import type { TransactionsExecutor } from './context.ts';
import {
  type JarProjectionRow,
  jarProjection,
  userEmails,
  type WalletProjectionRow,
  walletProjection,
} from './db/schema.ts';
import type { Recipient } from './domain/requests.ts';

/**
 * The wallets, jars and emails transactions knows from other subgraphs' events: written by the
 * consumers in `events.ts`, read when a request names a wallet, a jar or a recipient.
 */

/** A wallet by id, or null when it is unknown (or the client's id named none: null). */
export async function findWallet(db: TransactionsExecutor, walletId: WalletId | null, waitForOwner?: string) {
  if (walletId === null) return null;
  // A wallet opened a moment ago may still be on its way here (readProjection): a caller naming
  // its own wallet waits for it, as long for another user's fresh wallet as for an unknown one.
  return readProjection(
    walletId,
    async () => {
      const [row] = await walletById(db).execute({ walletId });
      return row ?? null;
    },
    waitForOwner ? { until: (row) => row?.ownerId === waitForOwner } : {},
  );
}

const walletById = preparedQuery((db: TransactionsExecutor) =>
  db
    .select()
    .from(walletProjection)
    .where(eq(walletProjection.walletId, sql.placeholder('walletId')))
    .prepare('wallet_by_id'),
);

/** Wallets by ids, as one comma-separated parameter (one text for any number). */
export const walletsByIds = preparedQuery((db: TransactionsExecutor) =>
  db
    .select()
    .from(walletProjection)
    .where(sql`${walletProjection.walletId} = any(string_to_array(${sql.placeholder('ids')}, ',')::uuid[])`)
    .prepare('wallets_by_ids'),
);

const defaultWalletByEmail = preparedQuery((db: TransactionsExecutor) =>
  db
    .select({ wallet: walletProjection })
    .from(userEmails)
    .innerJoin(
      walletProjection,
      and(eq(walletProjection.ownerId, userEmails.userId), eq(walletProjection.isDefault, true)),
    )
    .where(eq(userEmails.email, sql.placeholder('email')))
    .orderBy(desc(userEmails.updatedAt))
    .limit(1)
    .prepare('default_wallet_by_email'),
);

/**
 * The wallet a transfer's recipient names: by id, that wallet; by email, that user's default
 * wallet. Null when there is none. If an email briefly belongs to two users (it moved between
 * accounts and one event is still on its way), the most recently updated holder wins.
 */
export async function findRecipientWallet(db: TransactionsExecutor, to: Recipient) {
  if (to.by === 'walletId') return findWallet(db, to.walletId);
  const [row] = await defaultWalletByEmail(db).execute({ email: to.email });
  return row?.wallet ?? null;
}

/** Reads wallets by ids; the intake's is shared by the requests of the moment (`IntakeBatches`). */
export type WalletsReader = (ids: readonly string[]) => Promise<readonly WalletProjectionRow[]>;

/**
 * A request's source wallet (the caller's own: waited for as `findWallet` does) and, for a
 * transfer, the wallet its recipient names (`findRecipientWallet`). Named by ids that are both
 * known here (nearly every request), `read` reads them in one statement; anything else is read
 * apart, with the waits each read makes for a wallet that may still be on its way.
 */
export async function findRequestWallets(
  db: TransactionsExecutor,
  read: WalletsReader,
  sourceId: WalletId | null,
  to: Recipient | null,
  viewerId: string,
): Promise<readonly [WalletProjectionRow | null, WalletProjectionRow | null]> {
  // The ids to read at once: the source's, and the recipient's when it is named by wallet id.
  const ids = to === null ? [sourceId] : to.by === 'walletId' ? [sourceId, to.walletId] : null;
  if (ids?.every((id) => id !== null)) {
    const rows = await read(ids);
    const [source = null, recipient = null] = ids.map(
      (id) => rows.find((row) => row.walletId === id) ?? null,
    );
    if (source?.ownerId === viewerId && (to === null || recipient)) return [source, recipient];
  }
  return Promise.all([findWallet(db, sourceId, viewerId), to === null ? null : findRecipientWallet(db, to)]);
}

/** Records a wallet as opened; a redelivery (or one arriving after the archive) changes nothing. */
export async function projectWalletOpened(
  db: TransactionsExecutor,
  wallet: { walletId: string; ownerId: string; currency: string; isDefault: boolean; openedAt: Date },
): Promise<void> {
  await db.insert(walletProjection).values(wallet).onConflictDoNothing();
}

/**
 * Marks a wallet archived. False when the wallet is not known yet (its `wallet.opened.v1` is
 * still on its way): the caller retries later rather than lose the archive.
 */
export async function projectWalletArchived(db: TransactionsExecutor, walletId: string): Promise<boolean> {
  const updated = await db
    .update(walletProjection)
    .set({ status: 'ARCHIVED' })
    .where(eq(walletProjection.walletId, walletId))
    .returning({ walletId: walletProjection.walletId });
  return updated.length > 0;
}

/**
 * A jar by id, or null when it is unknown (or the client's id named none: null). A jar created a
 * moment ago may still be on its way here: the caller waits for one of its own (readProjection).
 */
export async function findJar(db: TransactionsExecutor, jarId: JarId | null, waitForOwner: string) {
  if (jarId === null) return null;
  return readProjection(
    jarId,
    async () => {
      const [row] = await db.select().from(jarProjection).where(eq(jarProjection.jarId, jarId));
      return row ?? null;
    },
    { until: (row) => row?.ownerId === waitForOwner },
  );
}

/** Records a jar as created; a redelivery (or one arriving after the archive) changes nothing. */
export async function projectJarCreated(
  db: TransactionsExecutor,
  jar: Omit<JarProjectionRow, 'status'>,
): Promise<void> {
  await db.insert(jarProjection).values(jar).onConflictDoNothing();
}

/**
 * Marks a jar archived. False when the jar is not known yet (its `jars.jar_created.v1` is still
 * on its way): the caller retries later rather than lose the archive.
 */
export async function projectJarArchived(db: TransactionsExecutor, jarId: string): Promise<boolean> {
  const updated = await db
    .update(jarProjection)
    .set({ status: 'ARCHIVED' })
    .where(eq(jarProjection.jarId, jarId))
    .returning({ jarId: jarProjection.jarId });
  return updated.length > 0;
}

/** Records a user's email as of `at`; an older event than the one already applied changes nothing. */
export async function projectUserEmail(
  db: TransactionsExecutor,
  user: { userId: string; email: string; at: Date },
): Promise<void> {
  await db
    .insert(userEmails)
    .values({ userId: user.userId, email: user.email.trim().toLowerCase(), updatedAt: user.at })
    .onConflictDoUpdate({
      target: userEmails.userId,
      set: { email: sql`excluded.email`, updatedAt: sql`excluded.updated_at` },
      setWhere: sql`${userEmails.updatedAt} < excluded.updated_at`,
    });
}
