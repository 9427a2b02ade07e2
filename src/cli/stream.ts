import type { Command } from 'commander';
import { StreamingResampler } from '../audio/resample.js';
import { openAudioStream, type AudioStream } from '../audio/stream.js';
import { streamAudio } from '../stream/client.js';
import type { ServerMessage } from '../stream/protocol.js';
import { numberOption, optionalNumber } from './options.js';

interface StreamCliOptions {
  url: string;
  speed: string;
  lm?: boolean;
  beam?: string;
  json?: boolean;
  earlyRoute?: string;
  earlyRouteMinProb?: string;
  domainGate?: string;
  domainGatePrune?: string;
}

const fmt = (s: number): string => s.toFixed(2).padStart(7);

/** The stream's blocks at 16 kHz (the same samples as resampling the whole file: `StreamingResampler`). */
async function* at16k(audio: AudioStream): AsyncGenerator<Float32Array> {
  let resampler: StreamingResampler | null = null;
  for await (const block of audio.chunks()) {
    // ffmpeg's rate is known once its header is read, i.e. by the first block.
    resampler ??= new StreamingResampler(audio.sampleRate, 16000);
    yield resampler.push(block);
  }
  if (resampler) yield resampler.finish();
}

export function register(program: Command): void {
  program
    .command('stream')
    .description('send an audio file to a live-transcription server (GET /v1/stream) at real time and print partials and finals')
    .argument('<audio>', 'audio file (WAV; other containers through ffmpeg)')
    .option('--url <url>', 'server, e.g. ws://127.0.0.1:8080 (the path /v1/stream is added)', 'ws://127.0.0.1:8080')
    .option('--speed <x>', 'sending speed: 1 = real time, 2 = twice as fast, 0 = as fast as possible', '1')
    .option('--lm', "decode each utterance with the routed member's LM")
    .option('--beam <n>', 'beam width with --lm')
    .option('--json', 'print every server message as one JSON line')
    .option('--early-route <seconds>', "route each utterance on its first S seconds (as infer --early-route; default: the server's)")
    .option('--early-route-min-prob <p>', 'early routing cascade floor (as infer --early-route-min-prob)')
    .option('--domain-gate <p>', "domain gate floor for each utterance (as infer --domain-gate; 0 = off; default: the server's)")
    .option('--domain-gate-prune <e>', 'domain gate pruning (as infer --domain-gate-prune)')
    .action(async (file: string, opts: StreamCliOptions) => {
      const speed = numberOption('--speed', opts.speed, { min: 0 });
      const beam = optionalNumber('--beam', opts.beam, { integer: true, min: 1 });
      const routing = {
        earlyRoute: optionalNumber('--early-route', opts.earlyRoute, { min: 0 }),
        earlyRouteMinProb: optionalNumber('--early-route-min-prob', opts.earlyRouteMinProb, { min: 0, max: 1 }),
        domainGate: optionalNumber('--domain-gate', opts.domainGate, { min: 0 }),
        domainGatePrune: optionalNumber('--domain-gate-prune', opts.domainGatePrune, { min: 0, max: 0.999999 }),
      };
      // Read and resampled block by block as it is sent: a recording of any length holds one block.
      const audio = await openAudioStream(file);
      const tty = process.stdout.isTTY === true && !opts.json;
      let partialShown = false;
      const print = (m: ServerMessage): void => {
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(m)}\n`);
          return;
        }
        if (m.type === 'partial' && tty) {
          process.stdout.write(`\r\x1b[2K\x1b[2m${fmt(m.start)}  ${m.model}: ${m.text}\x1b[0m`);
          partialShown = true;
        } else if (m.type === 'final') {
          if (partialShown) process.stdout.write('\r\x1b[2K');
          partialShown = false;
          const p = m.probabilities[m.model];
          process.stdout.write(`${fmt(m.start)} ${fmt(m.end)}  ${m.model} (${p === undefined ? '?' : p.toFixed(2)})\t${m.text}\n`);
        }
      };
      const r = await streamAudio(opts.url, at16k(audio), { speed, lm: Boolean(opts.lm), beam, routing, onMessage: print }).finally(() => audio.close());
      if (partialShown) process.stdout.write('\n');
      const err = r.messages.find((m): m is Extract<ServerMessage, { type: 'error' }> => m.type === 'error');
      if (err) {
        process.stderr.write(`error: the server ended the stream: ${err.code}: ${err.message} (close code ${r.closeCode})\n`);
        process.exitCode = err.code.startsWith('E_BAD') || err.code === 'E_NO_START' ? 2 : 1;
      } else if (r.closeCode !== 1000) {
        process.stderr.write(`error: the stream closed with code ${r.closeCode}\n`);
        process.exitCode = 1;
      }
    });
}
