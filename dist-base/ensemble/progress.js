/**
 * Progress reporting for long runs: a redrawn bar with counts, rate and ETA on a terminal; on anything
 * else (CI logs, pipes, tests) a few plain lines — start, every ~10 % or 30 s, and done.
 */
export function formatDuration(seconds) {
    if (!Number.isFinite(seconds) || seconds < 0)
        return '--:--';
    const s = Math.round(seconds);
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const sec = s % 60;
    const mm = String(m).padStart(2, '0');
    const ss = String(sec).padStart(2, '0');
    return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}
export class Progress {
    label;
    total;
    done = 0;
    cached = 0;
    start;
    lastDraw = -Infinity;
    lastLinePct = -1;
    lastLineAt;
    finished = false;
    stream;
    tty;
    silent;
    now;
    redrawMs;
    constructor(label, total, options = {}) {
        this.label = label;
        this.total = total;
        this.stream = options.stream ?? process.stderr;
        this.tty = options.tty ?? Boolean(this.stream.isTTY);
        this.silent = options.silent ?? false;
        this.now = options.now ?? (() => performance.now());
        this.redrawMs = options.redrawMs ?? 100;
        this.start = this.now();
        this.lastLineAt = this.start;
        if (!this.silent && !this.tty)
            this.stream.write(`${label}: 0/${total}\n`);
        else
            this.draw(true);
    }
    /** Count `n` finished items; `fromCache` ones do not count toward the rate (they cost nothing). */
    tick(n = 1, fromCache = false) {
        this.done += n;
        if (fromCache)
            this.cached += n;
        this.draw(false);
    }
    get count() {
        return this.done;
    }
    /** Seconds left, from the rate of the items that were actually computed. */
    eta() {
        const elapsed = (this.now() - this.start) / 1000;
        const computed = this.done - this.cached;
        if (computed <= 0 || elapsed <= 0)
            return NaN;
        return ((this.total - this.done) * elapsed) / computed;
    }
    line() {
        const elapsed = (this.now() - this.start) / 1000;
        const computed = this.done - this.cached;
        const rate = elapsed > 0 && computed > 0 ? `${(computed / elapsed).toFixed(1)}/s` : '';
        const cached = this.cached ? `, ${this.cached} cached` : '';
        return `${this.done}/${this.total}${cached}${rate ? `, ${rate}` : ''}, elapsed ${formatDuration(elapsed)}, ETA ${formatDuration(this.eta())}`;
    }
    draw(force) {
        if (this.silent || this.finished)
            return;
        const t = this.now();
        if (this.tty) {
            if (!force && t - this.lastDraw < this.redrawMs && this.done < this.total)
                return;
            this.lastDraw = t;
            const cols = Math.max(40, this.stream.columns ?? 80);
            const info = ` ${this.line()}`;
            const head = `${this.label} `;
            const width = Math.max(10, cols - head.length - info.length - 3);
            const frac = this.total > 0 ? Math.min(1, this.done / this.total) : 1;
            const full = Math.round(frac * width);
            const bar = `[${'#'.repeat(full)}${'.'.repeat(width - full)}]`;
            this.stream.write(`\r${head}${bar}${info}`.slice(0, cols + 1) + '\x1b[K');
        }
        else {
            const pct = this.total > 0 ? Math.floor((this.done / this.total) * 10) : 10;
            if (pct > this.lastLinePct && this.done < this.total && (pct > 0 || t - this.lastLineAt > 30_000)) {
                this.lastLinePct = pct;
                this.lastLineAt = t;
                this.stream.write(`${this.label}: ${this.line()}\n`);
            }
            else if (t - this.lastLineAt > 30_000 && this.done < this.total) {
                this.lastLineAt = t;
                this.stream.write(`${this.label}: ${this.line()}\n`);
            }
        }
    }
    /** Final line (always printed unless silent). */
    finish(message) {
        if (this.finished)
            return;
        if (!this.silent) {
            const elapsed = (this.now() - this.start) / 1000;
            const cached = this.cached ? ` (${this.cached} from cache)` : '';
            const text = message ?? `${this.label}: done ${this.done}/${this.total}${cached} in ${formatDuration(elapsed)}`;
            this.stream.write(this.tty ? `\r${text}\x1b[K\n` : `${text}\n`);
        }
        this.finished = true;
    }
}
//# sourceMappingURL=progress.js.map