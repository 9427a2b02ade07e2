import { type NgramCounter } from './count.js';
import { type Discount } from './discount.js';
import { type EstimateOptions } from './estimate.js';
import { RowSorter } from './sort.js';
export interface DiskEstimateResult {
    counts: number[];
    discounts: Discount[];
}
/** Spills a counter's n-gram tables (orders ≥ 2) into one sorter per order as sorted runs. */
export declare class CountSpiller {
    readonly order: number;
    readonly dir: string;
    readonly sorters: RowSorter[];
    constructor(order: number, dir: string, memoryBytes: number);
    /** Rows of one order being spilled, reused (a new array per spill would wait for the GC). */
    private rows;
    /** Write every table as a run and empty the tables. */
    spill(counter: NgramCounter): void;
    /** Free the reused spill buffer. */
    done(): void;
}
/**
 * Estimate from a counter whose tables were spilled (the rest is spilled here) and write the ARPA text
 * to `arpaFile` (the caller renames it into place).
 */
export declare function estimateOnDisk(counter: NgramCounter, spiller: CountSpiller, options: EstimateOptions, memoryBytes: number, arpaFile: string): Promise<DiskEstimateResult>;
