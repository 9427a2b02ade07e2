/**
 * A tiny read-only protobuf walker for the parts of an ONNX ModelProto the loaders need:
 * `metadata_props`, the graph's inputs/outputs (name, element type, shape) and the opset.
 * Field numbers from onnx/onnx.proto3. No dependency on a protobuf library.
 */
export interface OnnxValueInfo {
    name: string;
    /** TensorProto.DataType (1 float, 7 int64, 6 int32, 10 float16, …); 0 when absent. */
    elemType: number;
    /** Each dim: a number (dim_value), a string (dim_param) or null (unknown). Undefined when no shape. */
    shape?: Array<number | string | null>;
}
export interface OnnxModelInfo {
    irVersion: number;
    opsetVersion: number;
    producerName: string;
    metadata: Record<string, string>;
    inputs: OnnxValueInfo[];
    outputs: OnnxValueInfo[];
}
/** Parse the header-level information of an ONNX model. Throws a plain Error on malformed input. */
export declare function readOnnxModelInfo(buf: Uint8Array): OnnxModelInfo;
