/**
 * Progress reporting for long runs: a redrawn bar with counts, rate and ETA on a terminal; on anything
 * else (CI logs, pipes, tests) a few plain lines — start, every ~10 % or 30 s, and done.
 */
export interface ProgressSink {
    write(s: string): unknown;
    isTTY?: boolean;
    columns?: number;
}
export interface ProgressOptions {
    /** Where to draw (default process.stderr). */
    stream?: ProgressSink;
    /** Force the terminal bar on or off (default: stream.isTTY). */
    tty?: boolean;
    /** Print nothing at all. */
    silent?: boolean;
    /** Clock (ms), for tests. */
    now?: () => number;
    /** Minimum interval between redraws on a terminal (ms, default 100). */
    redrawMs?: number;
}
export declare function formatDuration(seconds: number): string;
export declare class Progress {
    readonly label: string;
    readonly total: number;
    private done;
    private cached;
    private readonly start;
    private lastDraw;
    private lastLinePct;
    private lastLineAt;
    private finished;
    private readonly stream;
    private readonly tty;
    private readonly silent;
    private readonly now;
    private readonly redrawMs;
    constructor(label: string, total: number, options?: ProgressOptions);
    /** Count `n` finished items; `fromCache` ones do not count toward the rate (they cost nothing). */
    tick(n?: number, fromCache?: boolean): void;
    get count(): number;
    /** Seconds left, from the rate of the items that were actually computed. */
    eta(): number;
    line(): string;
    private draw;
    /** Final line (always printed unless silent). */
    finish(message?: string): void;
}
