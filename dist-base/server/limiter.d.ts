/**
 * Bounded admission + concurrency: at most `concurrency` jobs run at once and at most `queue` more are
 * admitted and wait. `tryAdmit()` returns null when both are full (the caller answers 503). The server
 * asks for a ticket only once the request body has been read (slow uploads never hold a place), then
 * `run()` waits for a running slot.
 */
export declare class RejectedError extends Error {
    constructor(message: string);
}
export interface Ticket {
    /** Wait for a running slot (or `signal` abort), then run `fn`; the slot is released when it settles. */
    run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T>;
    /** Give the place back without running (body rejected, client gone). Idempotent; no effect once `run` was called (abort its signal instead). */
    release(): void;
}
export declare class Limiter {
    readonly concurrency: number;
    readonly queue: number;
    private running;
    private admitted;
    private readonly waiters;
    constructor(concurrency: number, queue: number);
    /** Jobs running now. */
    get active(): number;
    /** Admitted requests not running yet (reading their body or waiting for a slot). */
    get waiting(): number;
    tryAdmit(): Ticket | null;
}
