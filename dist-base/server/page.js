/**
 * The web page served at `/`: one self-contained HTML document (inline CSS and JavaScript, nothing from
 * a CDN). Upload a file or record from the microphone; the recording is decoded in the browser
 * (AudioContext), mixed to mono, resampled to 16 kHz and sent as 16-bit PCM WAV, so the server needs no
 * ffmpeg for it. Non-WAV uploads are converted the same way when the browser can decode them, and sent
 * as they are otherwise. Results: transcript, chosen model, selector probabilities and each model's
 * confidence as bars (ARIA meters with their values as text), every model's transcript on request.
 *
 * Live mode streams the microphone to `GET /v1/stream` (WebSocket): an AudioWorklet hands 128-sample blocks to
 * the page, which sends them as float32 PCM at the AudioContext's rate (16 kHz where the browser allows it; the
 * server resamples otherwise). Partials are shown dimmed; each final with its time span, the member that decoded
 * it and the selector probabilities as bars.
 *
 * Microphone access needs a secure context: https, or http://localhost / 127.0.0.1.
 */
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>CTC ensemble · transcribe</title>
<link rel="icon" href="data:,">
<style>
:root{--fg:#1d1d1f;--muted:#5f6368;--accent:#1a73e8;--ok:#188038;--bad:#c5221f;--bg:#fff;--panel:#f6f8fa;--bar:#dfe3e8}
@media (prefers-color-scheme: dark){:root{--fg:#e8eaed;--muted:#a0a4a8;--accent:#8ab4f8;--ok:#81c995;--bad:#f28b82;--bg:#202124;--panel:#2a2b2e;--bar:#3c4043}}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);margin:0;line-height:1.45}
main{max-width:860px;margin:0 auto;padding:1.5rem 1rem 3rem}
h1{font-size:1.5rem;margin:.2rem 0 1rem}h2{font-size:1.15rem;margin:1.4rem 0 .6rem}h3{font-size:1rem;margin:1rem 0 .4rem}
.panel{background:var(--panel);border-radius:10px;padding:1rem 1.2rem;margin-bottom:1rem}
.row{display:flex;flex-wrap:wrap;gap:.6rem;align-items:center;margin:.4rem 0}
button{font:inherit;padding:.45rem .9rem;border-radius:6px;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer}
button.secondary{background:transparent;color:var(--accent)}
button[aria-pressed="true"]{background:var(--bad);border-color:var(--bad);color:#fff}
button:disabled{opacity:.5;cursor:not-allowed}
button:focus-visible,input:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
fieldset{border:1px solid var(--bar);border-radius:8px;padding:.5rem .9rem;margin:.8rem 0 0}
legend{color:var(--muted);font-size:.9rem}
input[type=number]{width:6rem;font:inherit;padding:.2rem .3rem}
#transcript{font-size:1.25rem;margin:.4rem 0;padding:.7rem .9rem;border-left:4px solid var(--accent);background:var(--bg);min-height:2.6rem;white-space:pre-wrap}
#transcript.empty{color:var(--muted);font-style:italic}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:.6rem 0}dl.meta dt{color:var(--muted)}dl.meta dd{margin:0}
.bars{display:grid;grid-template-columns:minmax(5rem,max-content) 1fr 4.5rem;gap:.35rem .7rem;align-items:center}
.bar{height:1.05rem;background:var(--bar);border-radius:4px;overflow:hidden}
.fill{height:100%;background:var(--accent);width:0;transition:width .3s}
.chosen .fill{background:var(--ok)}.chosen.label{font-weight:700}
.value{font-variant-numeric:tabular-nums;text-align:right}
#error{color:var(--bad);font-weight:600;min-height:1.2rem;margin:.3rem 0}
#status{color:var(--muted);min-height:1.2rem;margin:.3rem 0}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid var(--bar)}
#live-partial{color:var(--muted);font-style:italic;min-height:1.4rem}
#live-finals{list-style:none;padding:0;margin:.4rem 0}#live-finals li{padding:.4rem 0;border-bottom:1px solid var(--bar)}
#live-finals .text{font-size:1.1rem}#live-finals .bars{margin-top:.2rem}
.muted{color:var(--muted)}.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
</style>
</head>
<body>
<main>
<h1>CTC ensemble · transcribe</h1>
<p class="muted" id="models-line">Loading the model list…</p>

<section class="panel" aria-labelledby="input-heading">
<h2 id="input-heading">Audio</h2>
<form id="upload-form" class="row">
  <label for="file-input">Audio file</label>
  <input type="file" id="file-input" name="file" accept="audio/*,.wav,.flac,.mp3,.ogg,.opus,.m4a,.webm">
  <button type="submit" id="upload-button">Transcribe file</button>
</form>
<div class="row">
  <button type="button" id="record-button" class="secondary" aria-pressed="false">Start recording</button>
  <span id="record-status" class="muted" aria-live="polite"></span>
</div>
<fieldset>
  <legend>Options</legend>
  <div class="row">
    <input type="checkbox" id="opt-lm"><label for="opt-lm">Decode with the chosen model's language model</label>
  </div>
  <div class="row">
    <input type="checkbox" id="opt-all"><label for="opt-all">Show every model's transcript</label>
  </div>
  <div class="row">
    <label for="opt-beam">Beam width (LM decoding)</label>
    <input type="number" id="opt-beam" min="1" max="256" step="1" placeholder="default">
  </div>
</fieldset>
</section>

<section class="panel" aria-labelledby="live-heading" id="live-section">
<h2 id="live-heading">Live</h2>
<div class="row">
  <button type="button" id="live-button" class="secondary" aria-pressed="false">Start live transcription</button>
  <span id="live-status" class="muted" aria-live="polite"></span>
</div>
<p id="live-partial" aria-live="off"></p>
<ol id="live-finals" aria-live="polite" aria-label="Live transcript"></ol>
</section>

<section class="panel" aria-labelledby="result-heading" id="result-section">
<h2 id="result-heading">Result</h2>
<p id="status" role="status" aria-live="polite"></p>
<p id="error" role="alert"></p>
<h3 id="transcript-heading">Transcript</h3>
<p id="transcript" class="empty" aria-labelledby="transcript-heading">Nothing transcribed yet.</p>
<dl class="meta">
  <dt>Chosen model</dt><dd id="chosen-model">–</dd>
  <dt>Audio length</dt><dd id="audio-seconds">–</dd>
  <dt>Processing time</dt><dd id="timing">–</dd>
</dl>
<h3 id="prob-heading">Selector probabilities</h3>
<div id="probabilities" class="bars" role="group" aria-labelledby="prob-heading"></div>
<h3 id="conf-heading">Model confidence</h3>
<div id="confidences" class="bars" role="group" aria-labelledby="conf-heading"></div>
<div id="all-section" hidden>
<h3 id="all-heading">Every model's transcript</h3>
<table aria-labelledby="all-heading"><thead><tr><th scope="col">Model</th><th scope="col">Transcript</th></tr></thead><tbody id="all-transcripts"></tbody></table>
</div>
</section>
</main>
<script>
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var busy = false;
  var recorder = null;
  var chunks = [];
  var stream = null;

  function setStatus(msg) { $('status').textContent = msg || ''; }
  function setError(msg) { $('error').textContent = msg || ''; }
  function setBusy(b) {
    busy = b;
    $('upload-button').disabled = b;
    $('result-section').setAttribute('aria-busy', b ? 'true' : 'false');
  }

  function loadModels() {
    fetch('v1/models').then(function (r) {
      if (r.status === 503) { $('models-line').textContent = 'The models are still loading…'; setTimeout(loadModels, 2000); return null; }
      if (!r.ok) throw new Error('HTTP ' + r.status);
      return r.json();
    }).then(function (info) {
      if (!info) return;
      var names = info.members.map(function (m) { return m.name + (m.lm ? ' (+LM)' : ''); });
      $('models-line').textContent = 'Models: ' + names.join(', ') + '.';
      var anyLm = info.members.some(function (m) { return !!m.lm; });
      $('opt-lm').disabled = !anyLm;
      if (!anyLm) $('opt-lm').parentNode.title = 'No model of this ensemble has a language model';
      if (info.limits && info.limits.maxBeam) $('opt-beam').max = String(info.limits.maxBeam);
    }).catch(function (e) { $('models-line').textContent = 'Could not load the model list: ' + e.message; });
  }

  function query() {
    var q = [];
    if ($('opt-lm').checked && !$('opt-lm').disabled) q.push('lm=true');
    if ($('opt-all').checked) q.push('all=true');
    var beam = $('opt-beam').value.trim();
    if (beam !== '') q.push('beam=' + encodeURIComponent(beam));
    return q.length ? '?' + q.join('&') : '';
  }

  function fmt(x) { return typeof x === 'number' && isFinite(x) ? x.toFixed(3) : '–'; }

  function bars(container, values, chosen, what) {
    container.textContent = '';
    Object.keys(values).forEach(function (name, i) {
      var v = values[name];
      var id = container.id + '-label-' + i;
      var label = document.createElement('span');
      label.className = 'label' + (name === chosen ? ' chosen' : '');
      label.id = id;
      label.textContent = name + (name === chosen ? ' ✓' : '');
      var bar = document.createElement('div');
      bar.className = 'bar' + (name === chosen ? ' chosen' : '');
      bar.setAttribute('role', 'meter');
      bar.setAttribute('aria-valuemin', '0');
      bar.setAttribute('aria-valuemax', '1');
      bar.setAttribute('aria-valuenow', String(Math.max(0, Math.min(1, v))));
      bar.setAttribute('aria-valuetext', fmt(v));
      bar.setAttribute('aria-label', what + ' of ' + name);
      var fill = document.createElement('div');
      fill.className = 'fill';
      fill.style.width = (Math.max(0, Math.min(1, v)) * 100).toFixed(1) + '%';
      bar.appendChild(fill);
      var value = document.createElement('span');
      value.className = 'value';
      value.textContent = fmt(v);
      container.appendChild(label); container.appendChild(bar); container.appendChild(value);
    });
  }

  function show(res) {
    var t = $('transcript');
    t.textContent = res.text === '' ? '(no words recognised)' : res.text;
    t.className = res.text === '' ? 'empty' : '';
    $('chosen-model').textContent = res.model;
    $('audio-seconds').textContent = res.audioSeconds.toFixed(2) + ' s';
    $('timing').textContent = (res.timingsMs && res.timingsMs.total != null ? res.timingsMs.total.toFixed(0) + ' ms' : '–');
    bars($('probabilities'), res.probabilities, res.model, 'Selector probability');
    bars($('confidences'), res.confidences, res.model, 'Confidence');
    var tb = $('all-transcripts');
    tb.textContent = '';
    if (res.transcripts && res.transcripts.length) {
      res.transcripts.forEach(function (tr) {
        var row = document.createElement('tr');
        var a = document.createElement('td'); a.textContent = tr.model;
        var b = document.createElement('td'); b.textContent = tr.text;
        row.appendChild(a); row.appendChild(b); tb.appendChild(row);
      });
      $('all-section').hidden = false;
    } else {
      $('all-section').hidden = true;
    }
  }

  function send(body, type, what) {
    setBusy(true); setError(''); setStatus('Transcribing ' + what + '…');
    return fetch('v1/transcribe' + query(), { method: 'POST', headers: { 'Content-Type': type }, body: body })
      .then(function (r) {
        return r.json().catch(function () { return { error: { message: 'HTTP ' + r.status } }; }).then(function (j) {
          if (!r.ok) throw new Error((j.error && j.error.message) || ('HTTP ' + r.status));
          return j;
        });
      })
      .then(function (j) { show(j); setStatus('Done: ' + what + '.'); })
      .catch(function (e) { setStatus(''); setError('Transcription failed: ' + e.message); })
      .then(function () { setBusy(false); });
  }

  // Mono 16 kHz float samples → 16-bit PCM WAV.
  function encodeWav(samples, rate) {
    var n = samples.length, buf = new ArrayBuffer(44 + n * 2), v = new DataView(buf);
    function str(o, s) { for (var i = 0; i < s.length; i++) v.setUint8(o + i, s.charCodeAt(i)); }
    str(0, 'RIFF'); v.setUint32(4, 36 + n * 2, true); str(8, 'WAVE'); str(12, 'fmt ');
    v.setUint32(16, 16, true); v.setUint16(20, 1, true); v.setUint16(22, 1, true);
    v.setUint32(24, rate, true); v.setUint32(28, rate * 2, true); v.setUint16(32, 2, true); v.setUint16(34, 16, true);
    str(36, 'data'); v.setUint32(40, n * 2, true);
    for (var i = 0; i < n; i++) {
      var s = Math.max(-1, Math.min(1, samples[i]));
      v.setInt16(44 + i * 2, s < 0 ? Math.round(s * 32768) : Math.round(s * 32767), true);
    }
    return new Blob([buf], { type: 'audio/wav' });
  }

  // Decode any audio the browser understands, mix to mono and resample to 16 kHz.
  function toWav16k(arrayBuffer) {
    var AC = window.AudioContext || window.webkitAudioContext;
    if (!AC || !window.OfflineAudioContext) return Promise.reject(new Error('this browser has no Web Audio API'));
    var ctx = new AC();
    return new Promise(function (resolve, reject) {
      var p = ctx.decodeAudioData(arrayBuffer, resolve, reject);
      if (p && p.then) p.then(resolve, reject);
    }).then(function (decoded) {
      if (ctx.close) ctx.close();
      var rate = 16000;
      var frames = Math.max(1, Math.ceil(decoded.duration * rate));
      var off = new OfflineAudioContext(1, frames, rate);
      var src = off.createBufferSource();
      src.buffer = decoded; src.connect(off.destination); src.start(0);
      return off.startRendering();
    }).then(function (rendered) { return encodeWav(rendered.getChannelData(0), 16000); }, function (e) {
      if (ctx.close) ctx.close();
      throw e;
    });
  }

  $('upload-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    if (busy) return;
    var f = $('file-input').files[0];
    if (!f) { setError('Choose an audio file first.'); $('file-input').focus(); return; }
    var isWav = /wav/i.test(f.type) || /\\.wave?$/i.test(f.name);
    if (isWav) { send(f, 'audio/wav', f.name); return; }
    setBusy(true);
    f.arrayBuffer().then(toWav16k).then(function (wav) { return send(wav, 'audio/wav', f.name); }, function () {
      // The browser cannot decode it: let the server (ffmpeg) try.
      return send(f, f.type || 'application/octet-stream', f.name);
    });
  });

  function stopTracks() { if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; } }

  $('record-button').addEventListener('click', function () {
    var btn = $('record-button');
    if (recorder && recorder.state === 'recording') { recorder.stop(); return; }
    if (busy) return;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.MediaRecorder) {
      setError('Recording needs a browser with MediaRecorder and a secure page (https, or http://localhost).');
      return;
    }
    setError('');
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (s) {
      stream = s; chunks = [];
      recorder = new MediaRecorder(s);
      recorder.ondataavailable = function (e) { if (e.data && e.data.size) chunks.push(e.data); };
      recorder.onstop = function () {
        stopTracks();
        btn.setAttribute('aria-pressed', 'false'); btn.textContent = 'Start recording';
        $('record-status').textContent = 'Recording stopped.';
        var blob = new Blob(chunks, { type: recorder.mimeType || 'audio/webm' });
        setBusy(true);
        blob.arrayBuffer().then(toWav16k).then(function (wav) { return send(wav, 'audio/wav', 'the recording'); }, function (e) {
          setBusy(false); setError('Could not decode the recording in the browser: ' + e.message);
        });
      };
      recorder.start();
      btn.setAttribute('aria-pressed', 'true'); btn.textContent = 'Stop recording';
      $('record-status').textContent = 'Recording… press the button again to stop.';
    }).catch(function (e) { stopTracks(); setError('Microphone not available: ' + e.message); });
  });

  // Live mode: microphone → AudioWorklet → float32 PCM over a WebSocket to v1/stream.
  var live = null;
  var WORKLET = 'registerProcessor("pcm-tap",class extends AudioWorkletProcessor{process(i){var c=i[0]&&i[0][0];if(c)this.port.postMessage(c.slice(0));return true}});';

  function liveUrl() {
    var base = location.pathname.replace(/[^/]*$/, '');
    return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + base + 'v1/stream';
  }

  function addFinal(m) {
    var li = document.createElement('li');
    var head = document.createElement('div');
    head.className = 'muted';
    head.textContent = m.start.toFixed(2) + '–' + m.end.toFixed(2) + ' s · ' + m.model;
    var text = document.createElement('div');
    text.className = 'text';
    text.textContent = m.text === '' ? '(no words recognised)' : m.text;
    var b = document.createElement('div');
    b.className = 'bars';
    b.id = 'live-bars-' + $('live-finals').children.length;
    li.appendChild(head); li.appendChild(text); li.appendChild(b);
    $('live-finals').appendChild(li);
    bars(b, m.probabilities, m.model, 'Selector probability');
  }

  function liveStopped(msg) {
    if (!live) return;
    if (live.node) live.node.disconnect();
    if (live.source) live.source.disconnect();
    if (live.ctx && live.ctx.close) live.ctx.close();
    if (live.stream) live.stream.getTracks().forEach(function (t) { t.stop(); });
    live = null;
    var btn = $('live-button');
    btn.setAttribute('aria-pressed', 'false'); btn.textContent = 'Start live transcription';
    $('live-partial').textContent = '';
    $('live-status').textContent = msg || 'Stopped.';
  }

  function startLive() {
    var AC = window.AudioContext || window.webkitAudioContext;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !AC || !window.AudioWorkletNode) {
      setError('Live mode needs a browser with AudioWorklet and a secure page (https, or http://localhost).');
      return;
    }
    setError('');
    live = { pending: [] };
    var btn = $('live-button');
    btn.setAttribute('aria-pressed', 'true'); btn.textContent = 'Stop live transcription';
    $('live-status').textContent = 'Starting…';
    navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false } }).then(function (s) {
      if (!live) { s.getTracks().forEach(function (t) { t.stop(); }); return; }
      live.stream = s;
      var ctx;
      try { ctx = new AC({ sampleRate: 16000 }); } catch (e) { ctx = new AC(); }
      live.ctx = ctx;
      var url = URL.createObjectURL(new Blob([WORKLET], { type: 'application/javascript' }));
      return ctx.audioWorklet.addModule(url).then(function () {
        var ws = new WebSocket(liveUrl());
        ws.binaryType = 'arraybuffer';
        live.ws = ws;
        ws.onopen = function () {
          ws.send(JSON.stringify({ type: 'start', sampleRate: ctx.sampleRate, encoding: 'pcm_f32le', lm: $('opt-lm').checked && !$('opt-lm').disabled, route: 'utterance' }));
        };
        ws.onmessage = function (ev) {
          var m = JSON.parse(ev.data);
          if (m.type === 'ready') {
            $('live-status').textContent = 'Listening (' + ctx.sampleRate + ' Hz)… press the button again to stop.';
            live.source = ctx.createMediaStreamSource(s);
            live.node = new AudioWorkletNode(ctx, 'pcm-tap');
            live.node.port.onmessage = function (e) {
              if (ws.readyState === 1) ws.send(e.data.buffer);
            };
            live.source.connect(live.node);
          } else if (m.type === 'partial') {
            $('live-partial').textContent = m.text ? '… ' + m.text : '';
          } else if (m.type === 'final') {
            $('live-partial').textContent = '';
            addFinal(m);
          } else if (m.type === 'error') {
            setError('Live transcription stopped: ' + m.message);
          }
        };
        ws.onclose = function (ev) { liveStopped(ev.code === 1000 ? 'Stopped.' : 'Closed (' + ev.code + ').'); };
        ws.onerror = function () { setError('The live connection failed.'); };
      });
    }).catch(function (e) { liveStopped(''); setError('Microphone not available: ' + e.message); });
  }

  $('live-button').addEventListener('click', function () {
    if (!live) { startLive(); return; }
    if (live.node) live.node.port.onmessage = null;
    if (live.ws && live.ws.readyState === 1) {
      $('live-status').textContent = 'Finishing the last utterance…';
      live.ws.send(JSON.stringify({ type: 'stop' }));
    } else {
      liveStopped();
    }
  });

  loadModels();
})();
</script>
</body>
</html>
`;
/** The page's HTML. */
export function renderPage() {
    return PAGE;
}
//# sourceMappingURL=page.js.map