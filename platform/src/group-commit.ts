/**
 * When work that arrives one item at a time is committed in batches: the scheduling half of a
 * group commit, shared by the consumers (deliveries into one inbox transaction) and the
 * transactions intake (concurrent requests into one read and one insert).
 *
 * A batch closes when it holds `size` items, and otherwise:
 * - by default, as soon as fewer than `concurrency` batches are committing: a lone item goes at
 *   once (after the items that arrived with it in the same tick), and under load everything
 *   that arrives while batches commit shares the next one, so the cost per item falls as the
 *   load grows, with no fixed wait at low load;
 * - with `lingerMs`, that long after its first item, whatever else is in flight.
 * In either mode a full batch goes at once while fewer than `concurrency` batches commit.
 */
export interface GroupCommitOptions<T> {
  /** Most items per batch. */
  size: number;
  /** Batches committing at once; 1 commits them strictly one after another, in arrival order. */
  concurrency: number;
  /** A fixed wait after a batch's first item instead of group commit. */
  lingerMs?: number;
  /** Commits a batch and settles each of its items itself (resolving or rejecting what they carry). It must not throw. */
  commit(batch: T[]): Promise<void>;
}

export interface GroupCommit<T> {
  add(item: T): void;
}

export function groupCommit<T>(options: GroupCommitOptions<T>): GroupCommit<T> {
  let pending: T[] = [];
  let timer: NodeJS.Timeout | null = null;
  let committing = 0;
  let closeScheduled = false;

  function flush(): void {
    if (timer) clearTimeout(timer);
    timer = null;
    if (pending.length === 0) return;
    const batch = pending.length > options.size ? pending.splice(0, options.size) : pending;
    if (batch === pending) pending = [];
    committing++;
    void options.commit(batch).finally(() => {
      committing--;
      // Group commit: what arrived meanwhile goes now, as one batch.
      if (options.lingerMs === undefined && committing < options.concurrency) flush();
    });
    // More than a batch was waiting: the rest goes as the policy says.
    if (pending.length > 0) schedule();
  }

  /** Closes the batch when the policy says so (see above). */
  function schedule(): void {
    if (pending.length >= options.size && committing < options.concurrency) {
      flush();
      return;
    }
    if (options.lingerMs !== undefined) {
      timer ??= setTimeout(flush, options.lingerMs);
      return;
    }
    if (committing >= options.concurrency || closeScheduled) return;
    closeScheduled = true;
    // The items handed over in this tick (one socket chunk's deliveries, a burst of requests) join.
    setImmediate(() => {
      closeScheduled = false;
      if (committing < options.concurrency) flush();
    });
  }

  return {
    add(item) {
      pending.push(item);
      schedule();
    },
  };
}
