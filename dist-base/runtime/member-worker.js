/**
 * Worker thread of `loadCtcModelInWorker` (member-workers.ts): holds one model's ONNX session and runs
 * `runFeatures` for the thread that owns the proxy, one call at a time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadCtcModel } from '../models/load.js';
import { isUserError } from '../util/errors.js';
const port = parentPort;
const data = workerData;
function errorReply(id, e) {
    const err = e;
    return { type: 'error', id, error: { message: err?.message ?? String(e), user: isUserError(e), code: err?.code, source: err?.source, stack: err?.stack } };
}
async function main() {
    let model;
    try {
        model = await loadCtcModel(data.dir, data.options);
    }
    catch (e) {
        port.postMessage(errorReply(-1, e));
        return;
    }
    port.postMessage({
        type: 'ready',
        info: {
            dir: model.dir,
            layout: model.layout,
            vocabulary: [...model.vocabulary],
            blankId: model.blankId,
            tokenizer: model.tokenizer,
            frontEnd: model.frontEnd,
            onnxFile: model.onnxFile,
            frameSamples: model.frameSamples,
            minSamples: model.minSamples,
        },
    });
    // Calls arrive one at a time from the event loop; session.run blocks this thread, so they run in order.
    port.on('message', (m) => {
        if (m.type === 'close') {
            void model.dispose().finally(() => port.close());
            return;
        }
        model.runFeatures(m.features, { temperature: m.temperature }).then((lp) => port.postMessage({ type: 'result', id: m.id, logprobs: lp }, [lp.data.buffer]), (e) => port.postMessage(errorReply(m.id, e)));
    });
}
void main();
//# sourceMappingURL=member-worker.js.map