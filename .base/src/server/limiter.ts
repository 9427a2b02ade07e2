/**
 * Bounded admission + concurrency: at most `concurrency` jobs run at once and at most `queue` more are
 * admitted and wait. `tryAdmit()` returns null when both are full (the caller answers 503). The server
 * asks for a ticket only once the request body has been read (slow uploads never hold a place), then
 * `run()` waits for a running slot.
 */
export class RejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RejectedError';
  }
}

export interface Ticket {
  /** Wait for a running slot (or `signal` abort), then run `fn`; the slot is released when it settles. */
  run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** Give the place back without running (body rejected, client gone). Idempotent; no effect once `run` was called (abort its signal instead). */
  release(): void;
}

export class Limiter {
  private running = 0;
  private admitted = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(
    readonly concurrency: number,
    readonly queue: number,
  ) {
    if (!(Number.isInteger(concurrency) && concurrency >= 1)) throw new RangeError('concurrency must be a positive integer');
    if (!(Number.isInteger(queue) && queue >= 0)) throw new RangeError('queue must be a non-negative integer');
  }

  /** Jobs running now. */
  get active(): number {
    return this.running;
  }

  /** Admitted requests not running yet (reading their body or waiting for a slot). */
  get waiting(): number {
    return this.admitted - this.running;
  }

  tryAdmit(): Ticket | null {
    if (this.admitted >= this.concurrency + this.queue) return null;
    this.admitted++;
    let state: 'admitted' | 'running' | 'done' = 'admitted';
    let inRun = false;
    const finish = (): void => {
      if (state === 'done') return;
      const wasRunning = state === 'running';
      state = 'done';
      this.admitted--;
      if (!wasRunning) return;
      // Hand the slot straight to the next waiter (it is counted as running already), so that a new
      // caller cannot take it in between.
      const next = this.waiters.shift();
      if (next) next();
      else this.running--;
    };
    return {
      run: async <T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> => {
        if (state !== 'admitted' || inRun) throw new Error('ticket already used');
        inRun = true;
        if (this.running < this.concurrency) {
          this.running++;
        } else {
          try {
            await new Promise<void>((resolve, reject) => {
              const wake = (): void => {
                signal?.removeEventListener('abort', onAbort);
                resolve();
              };
              const onAbort = (): void => {
                const i = this.waiters.indexOf(wake);
                if (i >= 0) this.waiters.splice(i, 1);
                reject(signal!.reason ?? new RejectedError('aborted while queued'));
              };
              if (signal?.aborted) return onAbort();
              signal?.addEventListener('abort', onAbort, { once: true });
              this.waiters.push(wake);
            });
          } catch (e) {
            finish();
            throw e;
          }
        }
        state = 'running';
        try {
          return await fn();
        } finally {
          finish();
        }
      },
      release: () => {
        if (!inRun) finish();
      },
    };
  }
}
