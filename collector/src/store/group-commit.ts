// Group commit: queues writes for a few milliseconds (or until enough have piled up) and commits
// them in one transaction; each caller's promise settles once its own write is committed.

export interface GroupCommitOptions {
  /** How long the first queued write may wait for company. */
  maxDelayMs: number;
  /** Commit at once when the queued weight (e.g. reports) reaches this. */
  maxWeight: number;
}

interface Pending<I, O> {
  item: I;
  resolve: (out: O) => void;
  reject: (error: unknown) => void;
}

/**
 * `commitAll` writes every item in ONE transaction and returns one outcome per item. If it
 * throws, each item is retried alone, so one bad item fails only its own caller.
 */
export class GroupCommit<I, O> {
  private queue: Pending<I, O>[] = [];
  private weight = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  commits = 0;

  constructor(
    private readonly commitAll: (items: I[]) => O[],
    private readonly weigh: (item: I) => number,
    private readonly options: GroupCommitOptions,
  ) {}

  get pending(): number {
    return this.queue.length;
  }

  submit(item: I): Promise<O> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.weight += this.weigh(item);
      if (this.weight >= this.options.maxWeight) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.maxDelayMs);
    });
  }

  /** Commits whatever is queued now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    this.weight = 0;
    let outs: O[];
    try {
      outs = this.commitAll(batch.map((p) => p.item));
    } catch {
      outs = [];
    }
    if (outs.length === batch.length) {
      this.commits++;
      for (const [i, p] of batch.entries()) p.resolve(outs[i] as O);
    } else {
      for (const p of batch) {
        try {
          const [out] = this.commitAll([p.item]);
          this.commits++;
          p.resolve(out as O);
        } catch (error) {
          p.reject(error);
        }
      }
    }
  }

  /** Flushes and refuses further writes. */
  close(): void {
    this.flush();
    this.closed = true;
  }
}
