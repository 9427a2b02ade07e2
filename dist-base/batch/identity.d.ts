/** 24 hex digits (96 bits): short enough to read in a message, long enough never to collide by chance. */
export declare function ensembleIdentity(dir: string): Promise<string>;
