/**
 * OmegaConf's string interpolation as NeMo configs use it: `${oc.env:VAR}`, `${oc.env:VAR,default}` (and the
 * legacy `${env:VAR}`), `${path.to.key}` / `${list[0].key}` (absolute), `\${` escapes. A string that is exactly
 * one interpolation keeps its value's type; otherwise values are formatted into the string (null as `None`).
 */
import { type ConfigContext } from './yaml-reader.js';
export declare function resolveInterpolations(ctx: ConfigContext, root: unknown, env: Record<string, string | undefined>): unknown;
