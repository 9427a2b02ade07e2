import type { EvalReport } from './evaluate.js';
/** `eval.md`. */
export declare function renderMarkdown(r: EvalReport): string;
/** Confusion heat map; colour = row-normalised fraction, text = count. */
export declare function confusionSvg(r: EvalReport): string;
/** Reliability diagram: accuracy per max-probability bin against the diagonal. */
export declare function reliabilitySvg(r: EvalReport): string;
/** Grouped bars: WER per domain (and all) for the given systems. */
export declare function werBarsSvg(r: EvalReport, systemIds: string[], title: string): string;
/** One panel per member: box plot of its confidence on each domain, with the individual values as dots. */
export declare function confidenceSvg(r: EvalReport): string;
/** `eval.html`: self-contained (inline CSS and SVG; no scripts, no network). */
export declare function renderHtml(r: EvalReport): string;
/** Write eval.json, eval.md and eval.html into `outDir` (atomically); returns their paths. */
export declare function writeReports(r: EvalReport, outDir: string): Promise<{
    json: string;
    md: string;
    html: string;
}>;
