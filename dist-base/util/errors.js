/**
 * Every user-facing failure is a `UserError`: the CLI prints its message (no stack trace) and exits
 * non-zero; the server maps it to a 4xx. `source` names the file/field/line the problem is in.
 */
export class UserError extends Error {
    source;
    code;
    constructor(message, options = {}) {
        super(options.source ? `${options.source}: ${message}` : message, { cause: options.cause });
        this.name = 'UserError';
        this.source = options.source;
        this.code = options.code ?? 'E_USER';
    }
}
export function isUserError(e) {
    return e instanceof UserError;
}
//# sourceMappingURL=errors.js.map