/**
 * A tiny read-only protobuf walker for the parts of an ONNX ModelProto the loaders need:
 * `metadata_props`, the graph's inputs/outputs (name, element type, shape) and the opset.
 * Field numbers from onnx/onnx.proto3. No dependency on a protobuf library.
 */
class Reader {
    buf;
    end;
    pos;
    constructor(buf, start = 0, end = buf.length) {
        this.buf = buf;
        this.end = end;
        this.pos = start;
    }
    done() {
        return this.pos >= this.end;
    }
    varint() {
        let result = 0;
        let mul = 1;
        for (let i = 0; i < 10; i++) {
            if (this.pos >= this.end)
                throw new Error('truncated varint');
            const b = this.buf[this.pos++];
            result += (b & 0x7f) * mul;
            if ((b & 0x80) === 0)
                return result;
            mul *= 128;
        }
        throw new Error('varint too long');
    }
    /** Returns [fieldNumber, wireType]. */
    tag() {
        const t = this.varint();
        return [Math.floor(t / 8), t % 8];
    }
    bytes() {
        const len = this.varint();
        const start = this.pos;
        if (start + len > this.end)
            throw new Error('truncated length-delimited field');
        this.pos += len;
        return [start, start + len];
    }
    string() {
        const [s, e] = this.bytes();
        return new TextDecoder().decode(this.buf.subarray(s, e));
    }
    skip(wire) {
        if (wire === 0)
            this.varint();
        else if (wire === 1)
            this.pos += 8;
        else if (wire === 2)
            this.bytes();
        else if (wire === 5)
            this.pos += 4;
        else
            throw new Error(`unsupported wire type ${wire}`);
        if (this.pos > this.end)
            throw new Error('truncated field');
    }
    sub() {
        const [s, e] = this.bytes();
        return new Reader(this.buf, s, e);
    }
}
function parseShape(r) {
    const dims = [];
    while (!r.done()) {
        const [f, w] = r.tag();
        if (f === 1 && w === 2) {
            const d = r.sub();
            let v = null;
            while (!d.done()) {
                const [df, dw] = d.tag();
                if (df === 1 && dw === 0)
                    v = d.varint();
                else if (df === 2 && dw === 2)
                    v = d.string();
                else
                    d.skip(dw);
            }
            dims.push(v);
        }
        else
            r.skip(w);
    }
    return dims;
}
function parseValueInfo(r) {
    const info = { name: '', elemType: 0 };
    while (!r.done()) {
        const [f, w] = r.tag();
        if (f === 1 && w === 2)
            info.name = r.string();
        else if (f === 2 && w === 2) {
            const t = r.sub(); // TypeProto
            while (!t.done()) {
                const [tf, tw] = t.tag();
                if (tf === 1 && tw === 2) {
                    const tt = t.sub(); // TypeProto.Tensor
                    while (!tt.done()) {
                        const [ef, ew] = tt.tag();
                        if (ef === 1 && ew === 0)
                            info.elemType = tt.varint();
                        else if (ef === 2 && ew === 2)
                            info.shape = parseShape(tt.sub());
                        else
                            tt.skip(ew);
                    }
                }
                else
                    t.skip(tw);
            }
        }
        else
            r.skip(w);
    }
    return info;
}
/** Parse the header-level information of an ONNX model. Throws a plain Error on malformed input. */
export function readOnnxModelInfo(buf) {
    const info = { irVersion: 0, opsetVersion: 0, producerName: '', metadata: {}, inputs: [], outputs: [] };
    const r = new Reader(buf);
    let sawGraph = false;
    while (!r.done()) {
        const [f, w] = r.tag();
        if (f === 1 && w === 0)
            info.irVersion = r.varint();
        else if (f === 2 && w === 2)
            info.producerName = r.string();
        else if (f === 8 && w === 2) {
            const o = r.sub();
            let domain = '';
            let version = 0;
            while (!o.done()) {
                const [of, ow] = o.tag();
                if (of === 1 && ow === 2)
                    domain = o.string();
                else if (of === 2 && ow === 0)
                    version = o.varint();
                else
                    o.skip(ow);
            }
            if (domain === '' || domain === 'ai.onnx')
                info.opsetVersion = version;
        }
        else if (f === 14 && w === 2) {
            const m = r.sub();
            let key = '';
            let value = '';
            while (!m.done()) {
                const [mf, mw] = m.tag();
                if (mf === 1 && mw === 2)
                    key = m.string();
                else if (mf === 2 && mw === 2)
                    value = m.string();
                else
                    m.skip(mw);
            }
            info.metadata[key] = value;
        }
        else if (f === 7 && w === 2) {
            sawGraph = true;
            const g = r.sub();
            const initializers = new Set();
            const inputs = [];
            while (!g.done()) {
                const [gf, gw] = g.tag();
                if (gf === 11 && gw === 2)
                    inputs.push(parseValueInfo(g.sub()));
                else if (gf === 12 && gw === 2)
                    info.outputs.push(parseValueInfo(g.sub()));
                else if (gf === 5 && gw === 2) {
                    const t = g.sub(); // TensorProto: name = 8
                    while (!t.done()) {
                        const [tf, tw] = t.tag();
                        if (tf === 8 && tw === 2)
                            initializers.add(t.string());
                        else
                            t.skip(tw);
                    }
                }
                else
                    g.skip(gw);
            }
            info.inputs = inputs.filter((i) => !initializers.has(i.name));
        }
        else
            r.skip(w);
    }
    if (!sawGraph)
        throw new Error('no graph in the model (not an ONNX ModelProto?)');
    return info;
}
//# sourceMappingURL=onnx-proto.js.map