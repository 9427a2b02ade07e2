import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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

export function createMetrics(options: {
  defaultMetrics: boolean;
  gauges: { inFlight: () => number; queued: () => number; ready: () => boolean };
}): ServiceMetrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'ensemble_http_requests_total',
    help: 'HTTP requests answered, by method, route and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'ensemble_http_request_duration_seconds',
    help: 'Time from request arrival to the end of the response',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [registry],
  });
  const audioSeconds = new Counter({
    name: 'ensemble_audio_seconds_total',
    help: 'Seconds of audio transcribed',
    registers: [registry],
  });
  const audioDuration = new Histogram({
    name: 'ensemble_request_audio_seconds',
    help: 'Audio duration per transcription request',
    buckets: [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800],
    registers: [registry],
  });
  const selections = new Counter({
    name: 'ensemble_selections_total',
    help: 'Transcriptions by the member the selector chose',
    labelNames: ['model'] as const,
    registers: [registry],
  });
  const rejections = new Counter({
    name: 'ensemble_rejections_total',
    help: 'Transcription requests refused before or during work, by reason',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'ensemble_requests_in_flight',
    help: 'Transcription requests admitted and not yet answered (reading, queued or running)',
    registers: [registry],
    collect() {
      this.set(options.gauges.inFlight());
    },
  });
  new Gauge({
    name: 'ensemble_queue_waiting',
    help: 'Admitted transcription requests waiting for a free slot or still uploading',
    registers: [registry],
    collect() {
      this.set(options.gauges.queued());
    },
  });
  new Gauge({
    name: 'ensemble_ready',
    help: '1 when the models are loaded and the service accepts transcriptions',
    registers: [registry],
    collect() {
      this.set(options.gauges.ready() ? 1 : 0);
    },
  });
  const activeStreams = new Gauge({ name: 'ensemble_streams_active', help: 'Open live-transcription streams', registers: [registry] });
  const streamAudioSeconds = new Counter({
    name: 'ensemble_stream_audio_seconds_total',
    help: 'Seconds of audio received on live streams',
    registers: [registry],
  });
  const streamFinals = new Counter({
    name: 'ensemble_stream_finals_total',
    help: 'Final results of live streams, by the member that decoded them',
    labelNames: ['model'] as const,
    registers: [registry],
  });
  const streamFinalLatency = new Histogram({
    name: 'ensemble_stream_final_latency_seconds',
    help: 'Time from the end of an utterance (endpoint) to its final result',
    buckets: [0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1, 2, 5, 10],
    registers: [registry],
  });
  return {
    registry,
    requests,
    latency,
    audioSeconds,
    audioDuration,
    selections,
    rejections,
    activeStreams,
    streamAudioSeconds,
    streamFinals,
    streamFinalLatency,
  };
}
