/**
 * Every user-facing failure is a `UserError`: the CLI prints its message (no stack trace) and exits
 * non-zero; the server maps it to a 4xx. `source` names the file/field/line the problem is in.
 */
export declare class UserError extends Error {
    readonly source: string | undefined;
    readonly code: string;
    constructor(message: string, options?: {
        source?: string;
        code?: string;
        cause?: unknown;
    });
}
export declare function isUserError(e: unknown): e is UserError;
