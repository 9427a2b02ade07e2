/**
 * A restricted pickle reader for NeMo's `model_selection_block.pkl` (a joblib-dumped sklearn Pipeline). It
 * never executes anything: it interprets the pickle opcodes into plain data, and the only globals it accepts
 * are the ones such a file needs — the sklearn classes Pipeline, StandardScaler and LogisticRegression (kept
 * as a class name plus their state dict), numpy's array / dtype / scalar reconstruction (done here, not by
 * calling numpy), joblib's NumpyArrayWrapper (its raw array bytes follow it in the stream), copyreg's object
 * reconstruction and `_codecs.encode` (protocol-2 bytes). Any other global is refused with its name, as
 * NeMo's own `safe_joblib_load` refuses unlisted classes.
 */
import { UserError } from '../util/errors.js';

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

interface DType {
  readonly kind: 'dtype';
  /** numpy's short code, e.g. 'f8', 'i8', 'b1'. */
  code: string;
  byteOrder: string;
}

interface Global {
  readonly kind: 'global';
  readonly path: string;
}

interface ArrayWrapper {
  readonly kind: 'joblib-array';
  state: Record<string, unknown> | null;
}

const ALLOWED_GLOBALS = new Set([
  'sklearn.pipeline.Pipeline',
  'sklearn.preprocessing._data.StandardScaler',
  'sklearn.linear_model._logistic.LogisticRegression',
  'numpy.ndarray',
  'numpy.dtype',
  'numpy.core.multiarray._reconstruct',
  'numpy._core.multiarray._reconstruct',
  'numpy.core.multiarray.scalar',
  'numpy._core.multiarray.scalar',
  'joblib.numpy_pickle.NumpyArrayWrapper',
  'copyreg._reconstructor',
  'copy_reg._reconstructor',
  'builtins.object',
  '__builtin__.object',
  '_codecs.encode',
]);

const SKLEARN_CLASSES = new Set([
  'sklearn.pipeline.Pipeline',
  'sklearn.preprocessing._data.StandardScaler',
  'sklearn.linear_model._logistic.LogisticRegression',
]);

function isKind<K extends string>(v: unknown, kind: K): v is { kind: K } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && (v as { kind?: unknown }).kind === kind && !(v instanceof Uint8Array);
}

/** Values of `count` elements of numpy dtype `code` from little/big-endian bytes. */
function decodeElements(bytes: Uint8Array, code: string, byteOrder: string, count: number, source: string): number[] {
  const m = /^([fiub])(\d+)$/.exec(code);
  if (!m) throw new UserError(`numpy dtype '${code}' is not supported (numbers only)`, { source, code: 'E_PICKLE' });
  const size = Number(m[2]);
  if (bytes.length < count * size) throw new UserError(`array data is ${bytes.length} bytes, expected ${count * size}`, { source, code: 'E_PICKLE' });
  const little = byteOrder !== '>';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const out: number[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const o = i * size;
    switch (`${m[1]}${size}`) {
      case 'f8':
        out[i] = view.getFloat64(o, little);
        break;
      case 'f4':
        out[i] = view.getFloat32(o, little);
        break;
      case 'i8':
        out[i] = Number(view.getBigInt64(o, little));
        break;
      case 'i4':
        out[i] = view.getInt32(o, little);
        break;
      case 'i2':
        out[i] = view.getInt16(o, little);
        break;
      case 'i1':
        out[i] = view.getInt8(o);
        break;
      case 'u8':
        out[i] = Number(view.getBigUint64(o, little));
        break;
      case 'u4':
        out[i] = view.getUint32(o, little);
        break;
      case 'u2':
        out[i] = view.getUint16(o, little);
        break;
      case 'u1':
      case 'b1':
        out[i] = view.getUint8(o);
        break;
      default:
        throw new UserError(`numpy dtype '${code}' is not supported`, { source, code: 'E_PICKLE' });
    }
  }
  return out;
}

/** numpy's dtype strings ('<f8', 'float64', 'i8', 'bool', …) to a short code. */
function dtypeCode(s: string, source: string): { code: string; byteOrder: string } {
  const names: Record<string, string> = {
    float64: 'f8',
    float32: 'f4',
    int64: 'i8',
    int32: 'i4',
    int16: 'i2',
    int8: 'i1',
    uint64: 'u8',
    uint32: 'u4',
    uint16: 'u2',
    uint8: 'u1',
    bool: 'b1',
  };
  const m = /^([<>|=]?)([a-z]+\d*)$/.exec(s);
  if (!m) throw new UserError(`numpy dtype '${s}' is not supported`, { source, code: 'E_PICKLE' });
  const code = names[m[2]] ?? m[2];
  if (code === 'O' || code.startsWith('O'))
    throw new UserError('numpy object arrays are not supported (the selector arrays are numbers)', { source, code: 'E_PICKLE' });
  return { code: code === '?' ? 'b1' : code, byteOrder: m[1] || '<' };
}

/** Read one pickle; returns plain data (dicts as objects, lists and tuples as arrays, bytes as Uint8Array). */
export function readRestrictedPickle(bytes: Uint8Array, source = 'pickle'): unknown {
  let pos = 0;
  const stack: unknown[] = [];
  const metastack: unknown[][] = [];
  const memo = new Map<number, unknown>();
  const fail = (msg: string): never => {
    throw new UserError(`${msg} (at byte ${pos})`, { source, code: 'E_PICKLE' });
  };
  const need = (n: number) => {
    if (pos + n > bytes.length) fail('truncated pickle');
  };
  const u8 = () => {
    need(1);
    return bytes[pos++];
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const u16 = () => {
    need(2);
    const v = view.getUint16(pos, true);
    pos += 2;
    return v;
  };
  const u32 = () => {
    need(4);
    const v = view.getUint32(pos, true);
    pos += 4;
    return v;
  };
  const i32 = () => {
    need(4);
    const v = view.getInt32(pos, true);
    pos += 4;
    return v;
  };
  const u64 = () => {
    need(8);
    const v = Number(view.getBigUint64(pos, true));
    pos += 8;
    return v;
  };
  const take = (n: number) => {
    need(n);
    const b = bytes.subarray(pos, pos + n);
    pos += n;
    return b;
  };
  const line = () => {
    const end = bytes.indexOf(10, pos);
    if (end < 0) fail('truncated pickle');
    const s = Buffer.from(bytes.subarray(pos, end)).toString('utf8');
    pos = end + 1;
    return s;
  };
  const utf8 = (b: Uint8Array) => Buffer.from(b).toString('utf8');
  const pop = () => {
    if (stack.length === 0) fail('stack underflow');
    return stack.pop();
  };
  const top = () => {
    if (stack.length === 0) fail('stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const items = stack.splice(0);
    const prev = metastack.pop();
    if (!prev) fail('MARK missing');
    stack.push(...prev!);
    return items;
  };
  const global = (module: string, name: string): Global => {
    const p = `${module}.${name}`;
    if (!ALLOWED_GLOBALS.has(p)) {
      throw new UserError(`refusing global ${p}: only sklearn Pipeline/StandardScaler/LogisticRegression and numpy arrays are read`, {
        source,
        code: 'E_PICKLE_GLOBAL',
      });
    }
    return { kind: 'global', path: p };
  };
  const setItems = (d: unknown, kv: unknown[]) => {
    if (typeof d !== 'object' || d === null || Array.isArray(d)) fail('SETITEM on a non-dict');
    for (let i = 0; i + 1 < kv.length; i += 2) {
      const k = kv[i];
      if (typeof k !== 'string' && typeof k !== 'number') fail('dict keys must be strings or numbers');
      (d as Record<string, unknown>)[String(k)] = kv[i + 1];
    }
  };
  const call = (fn: unknown, args: unknown): unknown => {
    if (!isKind(fn, 'global')) fail('REDUCE on something that is not an allowed global');
    const f = (fn as Global).path;
    const a = Array.isArray(args) ? args : fail('REDUCE arguments must be a tuple');
    if (f.endsWith('multiarray._reconstruct')) return { kind: 'ndarray', dtype: 'f8', shape: [0], data: [] } satisfies NdArray;
    if (f === 'numpy.dtype') {
      const d = dtypeCode(String((a as unknown[])[0]), source);
      return { kind: 'dtype', code: d.code, byteOrder: d.byteOrder } satisfies DType;
    }
    if (f.endsWith('multiarray.scalar')) {
      const [dt, raw] = a as unknown[];
      if (!isKind(dt, 'dtype') || !(raw instanceof Uint8Array)) fail('numpy scalar needs a dtype and bytes');
      return decodeElements(raw as Uint8Array, (dt as DType).code, (dt as DType).byteOrder, 1, source)[0];
    }
    if (f === '_codecs.encode') {
      const [s, enc] = a as unknown[];
      if (typeof s !== 'string' || (enc !== 'latin1' && enc !== 'latin-1')) fail('_codecs.encode only for latin1 bytes');
      return Uint8Array.from(Buffer.from(s as string, 'latin1'));
    }
    if (f.endsWith('._reconstructor')) {
      const [cls] = a as unknown[];
      return instantiate(cls);
    }
    return instantiate(fn);
  };
  const instantiate = (cls: unknown): unknown => {
    if (!isKind(cls, 'global')) fail('cannot instantiate this');
    const p = (cls as Global).path;
    if (SKLEARN_CLASSES.has(p)) return { kind: 'object', cls: p, state: null } satisfies PickledObject;
    if (p === 'joblib.numpy_pickle.NumpyArrayWrapper') return { kind: 'joblib-array', state: null } satisfies ArrayWrapper;
    if (p === 'numpy.ndarray') return { kind: 'ndarray', dtype: 'f8', shape: [0], data: [] } satisfies NdArray;
    return fail(`cannot instantiate ${p}`);
  };
  /** joblib writes the array's bytes right after the wrapper's BUILD (after a padding-length byte and padding). */
  const readWrappedArray = (w: ArrayWrapper): NdArray => {
    const st = w.state ?? fail('NumpyArrayWrapper without state');
    const dt = (st as Record<string, unknown>).dtype;
    const shape = (st as Record<string, unknown>).shape;
    const order = (st as Record<string, unknown>).order;
    if (!isKind(dt, 'dtype') || !Array.isArray(shape)) fail('NumpyArrayWrapper state needs dtype and shape');
    if ('numpy_array_alignment_bytes' in (st as object) && (st as Record<string, unknown>).numpy_array_alignment_bytes !== null) {
      const padLen = u8();
      take(padLen);
    }
    const dims = (shape as unknown[]).map((x) => Number(x));
    const count = dims.reduce((p, x) => p * x, 1);
    const size = Number(/\d+$/.exec((dt as DType).code)![0]);
    const data = decodeElements(take(count * size), (dt as DType).code, (dt as DType).byteOrder, count, source);
    return { kind: 'ndarray', dtype: (dt as DType).code, shape: dims, data: order === 'F' ? fortranToC(data, dims) : data };
  };
  const build = (obj: unknown, state: unknown): unknown => {
    if (isKind(obj, 'object')) {
      (obj as PickledObject).state = state;
      return obj;
    }
    if (isKind(obj, 'joblib-array')) {
      (obj as ArrayWrapper).state = state as Record<string, unknown>;
      return readWrappedArray(obj as ArrayWrapper);
    }
    if (isKind(obj, 'dtype')) {
      // (version, byteorder, subdescr, names, fields, elsize, alignment, flags)
      if (Array.isArray(state) && typeof state[1] === 'string' && state[1] !== '|') (obj as DType).byteOrder = state[1] as string;
      return obj;
    }
    if (isKind(obj, 'ndarray')) {
      // (version, shape, dtype, is_fortran, rawdata)
      const s = Array.isArray(state) ? (state.length === 5 ? state.slice(1) : state) : fail('ndarray state must be a tuple');
      const [shape, dt, fortran, raw] = s as unknown[];
      if (!Array.isArray(shape) || !isKind(dt, 'dtype')) fail('ndarray state needs shape and dtype');
      if (!(raw instanceof Uint8Array)) fail('ndarray data must be bytes (object arrays are not supported)');
      const dims = (shape as unknown[]).map((x) => Number(x));
      const count = dims.reduce((p, x) => p * x, 1);
      const data = decodeElements(raw as Uint8Array, (dt as DType).code, (dt as DType).byteOrder, count, source);
      const a = obj as NdArray;
      a.dtype = (dt as DType).code;
      a.shape = dims;
      a.data = fortran ? fortranToC(data, dims) : data;
      return a;
    }
    return fail('BUILD on an object that has no state');
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80:
        u8();
        break; // PROTO
      case 0x95:
        u64();
        break; // FRAME: frames are read in line
      case 0x2e: {
        // STOP
        const v = pop();
        return v;
      }
      case 0x28:
        metastack.push(stack.splice(0));
        break; // MARK
      case 0x29:
        stack.push([]);
        break; // EMPTY_TUPLE
      case 0x5d:
        stack.push([]);
        break; // EMPTY_LIST
      case 0x7d:
        stack.push({});
        break; // EMPTY_DICT
      case 0x74:
        stack.push(popMark());
        break; // TUPLE
      case 0x85:
        stack.push([pop()]);
        break; // TUPLE1
      case 0x86: {
        const b = pop();
        const a = pop();
        stack.push([a, b]);
        break;
      } // TUPLE2
      case 0x87: {
        const c = pop();
        const b = pop();
        const a = pop();
        stack.push([a, b, c]);
        break;
      } // TUPLE3
      case 0x6c:
        stack.push(popMark());
        break; // LIST
      case 0x64: {
        const d = {};
        setItems(d, popMark());
        stack.push(d);
        break;
      } // DICT
      case 0x61: {
        const v = pop();
        const l = top();
        if (!Array.isArray(l)) fail('APPEND on a non-list');
        (l as unknown[]).push(v);
        break;
      } // APPEND
      case 0x65: {
        const items = popMark();
        const l = top();
        if (!Array.isArray(l)) fail('APPENDS on a non-list');
        (l as unknown[]).push(...items);
        break;
      } // APPENDS
      case 0x73: {
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      } // SETITEM
      case 0x75: {
        const items = popMark();
        setItems(top(), items);
        break;
      } // SETITEMS
      case 0x4e:
        stack.push(null);
        break; // NONE
      case 0x88:
        stack.push(true);
        break; // NEWTRUE
      case 0x89:
        stack.push(false);
        break; // NEWFALSE
      case 0x4a:
        stack.push(i32());
        break; // BININT
      case 0x4b:
        stack.push(u8());
        break; // BININT1
      case 0x4d:
        stack.push(u16());
        break; // BININT2
      case 0x8a: {
        // LONG1
        const n = u8();
        const b = take(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
        if (n > 0 && b[n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        stack.push(Number(v));
        break;
      }
      case 0x47: {
        need(8);
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break;
      } // BINFLOAT
      case 0x8c:
        stack.push(utf8(take(u8())));
        break; // SHORT_BINUNICODE
      case 0x58:
        stack.push(utf8(take(u32())));
        break; // BINUNICODE
      case 0x8d:
        stack.push(utf8(take(u64())));
        break; // BINUNICODE8
      case 0x43:
        stack.push(Uint8Array.from(take(u8())));
        break; // SHORT_BINBYTES
      case 0x42:
        stack.push(Uint8Array.from(take(u32())));
        break; // BINBYTES
      case 0x8e:
        stack.push(Uint8Array.from(take(u64())));
        break; // BINBYTES8
      case 0x55:
        stack.push(Buffer.from(take(u8())).toString('latin1'));
        break; // SHORT_BINSTRING (py2 str)
      case 0x54:
        stack.push(Buffer.from(take(u32())).toString('latin1'));
        break; // BINSTRING
      case 0x94:
        memo.set(memo.size, top());
        break; // MEMOIZE
      case 0x71:
        memo.set(u8(), top());
        break; // BINPUT
      case 0x72:
        memo.set(u32(), top());
        break; // LONG_BINPUT
      case 0x68: {
        const k = u8();
        if (!memo.has(k)) fail(`memo ${k} missing`);
        stack.push(memo.get(k));
        break;
      } // BINGET
      case 0x6a: {
        const k = u32();
        if (!memo.has(k)) fail(`memo ${k} missing`);
        stack.push(memo.get(k));
        break;
      } // LONG_BINGET
      case 0x63: {
        const module = line();
        const name = line();
        stack.push(global(module, name));
        break;
      } // GLOBAL
      case 0x93: {
        const name = pop();
        const module = pop();
        stack.push(global(String(module), String(name)));
        break;
      } // STACK_GLOBAL
      case 0x52: {
        const args = pop();
        const fn = pop();
        stack.push(call(fn, args));
        break;
      } // REDUCE
      case 0x81: {
        pop();
        const cls = pop();
        stack.push(instantiate(cls));
        break;
      } // NEWOBJ
      case 0x92: {
        pop();
        pop();
        const cls = pop();
        stack.push(instantiate(cls));
        break;
      } // NEWOBJ_EX
      case 0x62: {
        const state = pop();
        const obj = pop();
        stack.push(build(obj, state));
        break;
      } // BUILD
      case 0x30:
        pop();
        break; // POP
      case 0x32:
        stack.push(top());
        break; // DUP
      default:
        fail(`pickle opcode 0x${op.toString(16)} is not used by sklearn selector files and is refused`);
    }
  }
}

function fortranToC(data: number[], dims: number[]): number[] {
  if (dims.length < 2) return data;
  if (dims.length > 2) throw new UserError('Fortran-ordered arrays of more than 2 dimensions are not supported', { code: 'E_PICKLE' });
  const [r, c] = dims as [number, number];
  const out = new Array<number>(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[i * c + j] = data[j * r + i];
  return out;
}

/** A numpy array as nested JS arrays (1-D or 2-D). */
export function ndarrayToNested(a: NdArray): number[] | number[][] {
  if (a.shape.length <= 1) return a.data.slice();
  if (a.shape.length !== 2) throw new UserError(`expected a 1-D or 2-D array, got shape [${a.shape.join(', ')}]`, { code: 'E_PICKLE' });
  const [r, c] = a.shape as [number, number];
  return Array.from({ length: r }, (_, i) => a.data.slice(i * c, (i + 1) * c));
}

export function isNdArray(v: unknown): v is NdArray {
  return isKind(v, 'ndarray');
}

export function isPickledObject(v: unknown): v is PickledObject {
  return isKind(v, 'object');
}
