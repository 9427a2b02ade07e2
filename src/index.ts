// Public API. Each capability exports from its own folder; the CLI and server are thin layers over this.
export { UserError, isUserError } from './util/errors.js';
export type { CtcModel, Logprobs, ModelLayout, TokenizerInfo, FrontEndConfig } from './models/types.js';
export type { LanguageModelScorer } from './lm/types.js';
