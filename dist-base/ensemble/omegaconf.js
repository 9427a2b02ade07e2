export function resolveInterpolations(ctx, root, env) {
    const resolving = new Set();
    const getNode = (p, ref, from) => {
        let cur = root;
        for (const part of ref.split('.')) {
            if (part === '')
                continue;
            if (Array.isArray(cur) && /^\d+$/.test(part))
                cur = cur[Number(part)];
            else if (cur && typeof cur === 'object' && !Array.isArray(cur) && part in cur)
                cur = cur[part];
            else
                throw ctx.error(from, `interpolation \${${ref}}: key '${ref}' not found`);
        }
        void p;
        return cur;
    };
    const resolveValue = (v, p) => {
        if (typeof v === 'string')
            return resolveString(v, p);
        if (Array.isArray(v))
            return v.map((x, i) => resolveValue(x, [...p, i]));
        if (v && typeof v === 'object') {
            const out = {};
            for (const [k, x] of Object.entries(v))
                out[k] = resolveValue(x, [...p, k]);
            return out;
        }
        return v;
    };
    const evalExpr = (expr, p) => {
        const m = /^\s*([A-Za-z_][\w.]*)\s*:(.*)$/s.exec(expr);
        if (m) {
            const resolver = m[1];
            const args = splitArgs(m[2]);
            if (resolver === 'oc.env' || resolver === 'env') {
                const name = args[0]?.value ?? '';
                if (!name)
                    throw ctx.error(p, `\${${expr}}: oc.env needs a variable name`);
                const val = env[name];
                if (val !== undefined)
                    return val;
                if (args.length >= 2) {
                    const d = args
                        .slice(1)
                        .map((a) => a.raw)
                        .join(',');
                    const a = args[1];
                    if (args.length === 2 && !a.quoted && a.value === 'null')
                        return null;
                    return args.length === 2 ? a.value : d;
                }
                throw ctx.error(p, `environment variable ${name} is not set (\${${expr}}); set it or give a default: \${oc.env:${name},default}`, 'E_CONFIG_ENV');
            }
            throw ctx.error(p, `unsupported interpolation resolver '${resolver}' in \${${expr}} (supported: oc.env)`);
        }
        const ref = expr.trim();
        if (!/^[\w.[\]-]+$/.test(ref))
            throw ctx.error(p, `cannot parse interpolation \${${expr}}`);
        const key = ref.replace(/\[(\d+)\]/g, '.$1');
        if (key.startsWith('.'))
            throw ctx.error(p, `relative interpolation \${${expr}} is not supported; use the absolute key`);
        if (resolving.has(key))
            throw ctx.error(p, `interpolation cycle through \${${expr}}`);
        resolving.add(key);
        try {
            const target = getNode(p, key, p);
            return resolveValue(target, key.split('.').map((x) => (/^\d+$/.test(x) ? Number(x) : x)));
        }
        finally {
            resolving.delete(key);
        }
    };
    function resolveString(s, p) {
        if (!s.includes('${'))
            return s.replace(/\\\$\{/g, '${');
        // A string that is exactly one interpolation keeps the type of its value.
        const whole = /^\$\{([^{}]*)\}$/.exec(s);
        if (whole)
            return evalExpr(whole[1], p);
        let out = '';
        let i = 0;
        while (i < s.length) {
            if (s.startsWith('\\${', i)) {
                out += '${';
                i += 3;
                continue;
            }
            if (s.startsWith('${', i)) {
                const end = s.indexOf('}', i);
                if (end < 0)
                    throw ctx.error(p, `unterminated interpolation in '${s}'`);
                const v = evalExpr(s.slice(i + 2, end), p);
                out += v === null ? 'None' : String(v);
                i = end + 1;
                continue;
            }
            out += s[i];
            i++;
        }
        return out;
    }
    return resolveValue(root, []);
}
function splitArgs(s) {
    const out = [];
    let i = 0;
    while (i <= s.length) {
        while (i < s.length && s[i] === ' ')
            i++;
        const q = s[i];
        if (q === "'" || q === '"') {
            let j = i + 1;
            let v = '';
            while (j < s.length && s[j] !== q) {
                if (s[j] === '\\' && j + 1 < s.length) {
                    v += s[j + 1];
                    j += 2;
                }
                else
                    v += s[j++];
            }
            const raw = s.slice(i, j + 1);
            out.push({ value: v, raw, quoted: true });
            i = j + 1;
            while (i < s.length && s[i] !== ',')
                i++;
            i++;
        }
        else {
            let j = s.indexOf(',', i);
            if (j < 0)
                j = s.length;
            const raw = s.slice(i, j).trim();
            out.push({ value: raw, raw, quoted: false });
            i = j + 1;
        }
        if (i > s.length)
            break;
    }
    return out;
}
//# sourceMappingURL=omegaconf.js.map