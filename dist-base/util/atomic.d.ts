/** Write a file so that readers never see it half-written: temp file in the same folder, then rename. */
export declare function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void>;
