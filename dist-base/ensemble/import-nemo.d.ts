import type { CtcModel } from '../models/types.js';
import { type EnsembleJson } from './format.js';
export interface ImportNemoMember {
    name: string;
    /** ONNX export folder of NeMo's model{index}. */
    dir: string;
}
export interface ImportNemoOptions {
    /** One per NeMo member, in NeMo's order (model0, model1, …). */
    members: ImportNemoMember[];
    outDir: string;
    log?: (line: string) => void;
    /** Model loader (default loadCtcModel). */
    loadModel?: (dir: string) => Promise<CtcModel>;
}
export interface ImportNemoResult {
    file: string;
    ensemble: EnsembleJson;
    /** What each member was in NeMo (`load_models` entry or the member config's target). */
    nemoMembers: string[];
    notes: string[];
}
export declare function importNemoEnsemble(nemoFile: string, options: ImportNemoOptions): Promise<ImportNemoResult>;
