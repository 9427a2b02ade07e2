import { Counter, Gauge, Histogram, Registry } from 'prom-client';
/** The service's Prometheus series, in a registry of their own (never prom-client's global one). */
export interface ServiceMetrics {
    registry: Registry;
    requests: Counter<'method' | 'route' | 'status'>;
    latency: Histogram<'method' | 'route'>;
    audioSeconds: Counter;
    audioDuration: Histogram;
    selections: Counter<'model'>;
    rejections: Counter<'reason'>;
    /** Live streams (`GET /v1/stream`). */
    activeStreams: Gauge;
    streamAudioSeconds: Counter;
    streamFinals: Counter<'model'>;
    /** From the end of speech (the endpoint) to the final sent. */
    streamFinalLatency: Histogram;
}
export declare function createMetrics(options: {
    defaultMetrics: boolean;
    gauges: {
        inFlight: () => number;
        queued: () => number;
        ready: () => boolean;
    };
}): ServiceMetrics;
