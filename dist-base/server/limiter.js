/**
 * Bounded admission + concurrency: at most `concurrency` jobs run at once and at most `queue` more are
 * admitted and wait. `tryAdmit()` returns null when both are full (the caller answers 503). The server
 * asks for a ticket only once the request body has been read (slow uploads never hold a place), then
 * `run()` waits for a running slot.
 */
export class RejectedError extends Error {
    constructor(message) {
        super(message);
        this.name = 'RejectedError';
    }
}
export class Limiter {
    concurrency;
    queue;
    running = 0;
    admitted = 0;
    waiters = [];
    constructor(concurrency, queue) {
        this.concurrency = concurrency;
        this.queue = queue;
        if (!(Number.isInteger(concurrency) && concurrency >= 1))
            throw new RangeError('concurrency must be a positive integer');
        if (!(Number.isInteger(queue) && queue >= 0))
            throw new RangeError('queue must be a non-negative integer');
    }
    /** Jobs running now. */
    get active() {
        return this.running;
    }
    /** Admitted requests not running yet (reading their body or waiting for a slot). */
    get waiting() {
        return this.admitted - this.running;
    }
    tryAdmit() {
        if (this.admitted >= this.concurrency + this.queue)
            return null;
        this.admitted++;
        let state = 'admitted';
        let inRun = false;
        const finish = () => {
            if (state === 'done')
                return;
            const wasRunning = state === 'running';
            state = 'done';
            this.admitted--;
            if (!wasRunning)
                return;
            // Hand the slot straight to the next waiter (it is counted as running already), so that a new
            // caller cannot take it in between.
            const next = this.waiters.shift();
            if (next)
                next();
            else
                this.running--;
        };
        return {
            run: async (fn, signal) => {
                if (state !== 'admitted' || inRun)
                    throw new Error('ticket already used');
                inRun = true;
                if (this.running < this.concurrency) {
                    this.running++;
                }
                else {
                    try {
                        await new Promise((resolve, reject) => {
                            const wake = () => {
                                signal?.removeEventListener('abort', onAbort);
                                resolve();
                            };
                            const onAbort = () => {
                                const i = this.waiters.indexOf(wake);
                                if (i >= 0)
                                    this.waiters.splice(i, 1);
                                reject(signal.reason ?? new RejectedError('aborted while queued'));
                            };
                            if (signal?.aborted)
                                return onAbort();
                            signal?.addEventListener('abort', onAbort, { once: true });
                            this.waiters.push(wake);
                        });
                    }
                    catch (e) {
                        finish();
                        throw e;
                    }
                }
                state = 'running';
                try {
                    return await fn();
                }
                finally {
                    finish();
                }
            },
            release: () => {
                if (!inRun)
                    finish();
            },
        };
    }
}
//# sourceMappingURL=limiter.js.map