/** An instance of an allowed (sklearn) class: its qualified class name and the state `__setstate__` would get. */
export interface PickledObject {
    readonly kind: 'object';
    readonly cls: string;
    state: unknown;
}
/** A numpy array, values converted to JS numbers (C order). */
export interface NdArray {
    readonly kind: 'ndarray';
    dtype: string;
    shape: number[];
    data: number[];
}
/** Read one pickle; returns plain data (dicts as objects, lists and tuples as arrays, bytes as Uint8Array). */
export declare function readRestrictedPickle(bytes: Uint8Array, source?: string): unknown;
/** A numpy array as nested JS arrays (1-D or 2-D). */
export declare function ndarrayToNested(a: NdArray): number[] | number[][];
export declare function isNdArray(v: unknown): v is NdArray;
export declare function isPickledObject(v: unknown): v is PickledObject;
