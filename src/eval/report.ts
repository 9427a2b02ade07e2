/**
 * Evaluation reports: `eval.json` (everything, per utterance included), `eval.md` (tables) and a
 * self-contained `eval.html` (inline CSS and SVG charts, no scripts, no external resources): confusion
 * heat map, reliability diagram, WER bars per domain, per-model confidence distributions by domain.
 */
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';
import type { EvalReport, RateCell } from './evaluate.js';

const pct = (x: number | null | undefined, digits = 1): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '–' : `${(x * 100).toFixed(digits)} %`;
const num = (x: number | null | undefined, digits = 3): string => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits));

function mdEscape(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function mdTable(header: string[], rows: string[][], align?: Array<'l' | 'r'>): string {
  const a = align ?? header.map((_, i) => (i === 0 ? 'l' : 'r'));
  const sep = a.map((x) => (x === 'r' ? '---:' : '---'));
  return [header, sep, ...rows].map((r) => `| ${r.map(mdEscape).join(' | ')} |`).join('\n');
}

function rateText(c: RateCell | undefined): string {
  if (!c || c.utterances === 0) return '–';
  return `${pct(c.wer)} / ${pct(c.cer)}`;
}

function escalationText(x: { short: number; lowProbability: number; rate: number | null } | undefined): string {
  if (!x) return '–';
  return `${pct(x.rate)} routed fully (${x.short} short + ${x.lowProbability} low probability)`;
}

/** `eval.md`. */
export function renderMarkdown(r: EvalReport): string {
  const out: string[] = [];
  out.push('# Ensemble evaluation', '');
  out.push(
    `${r.utterances} utterances, ${r.audioSeconds.toFixed(1)} s of audio, ${r.members.length} members (${r.members.join(', ')}); ` +
      `LM decoding: ${r.lm ? `yes (members with an LM: ${r.lmMembers.join(', ')})` : 'no'}; ` +
      `${r.wallSeconds.toFixed(1)} s wall (${r.parallelism}). Created ${r.createdAt}.`,
    '',
  );
  out.push('## Selection accuracy', '');
  out.push(
    mdTable(
      ['domain', 'correct', 'total', 'accuracy'],
      [
        ...r.domains.map((d) => {
          const a = r.selection.perDomain[d.name];
          return [d.name, String(a.correct), String(a.total), pct(a.accuracy)];
        }),
        ['**overall**', String(r.selection.overall.correct), String(r.selection.overall.total), pct(r.selection.overall.accuracy)],
      ],
    ),
    '',
  );
  if (r.earlyRoute) {
    const e = r.earlyRoute;
    out.push(`## Early routing on the first ${e.seconds} s`, '');
    out.push(
      `Every member on the first ${e.seconds} s, then only the chosen one on the whole input. Selection accuracy ` +
        `${pct(e.overall.accuracy)} (main pass ${pct(e.fullAccuracy)}); ensemble WER / CER ${rateText(e.wer)}; cost ` +
        `${num(e.cost, 2)}× the main pass in member audio seconds, ${num(e.measuredCost, 2)}× in measured model time. ` +
        `Cascade floor ${e.minProbability}: ${escalationText(e.escalated)}.`,
      '',
    );
    out.push(
      mdTable(
        ['domain', 'correct', 'total', 'accuracy', 'main pass', 'cost', 'routed fully'],
        [
          ...r.domains.map((d) => {
            const a = e.perDomain[d.name];
            const esc = e.perDomainEscalated?.[d.name];
            return [
              d.name,
              String(a.correct),
              String(a.total),
              pct(a.accuracy),
              pct(r.selection.perDomain[d.name]?.accuracy),
              num(e.perDomainCost?.[d.name], 2),
              esc ? pct(esc.rate) : '–',
            ];
          }),
          [
            '**overall**',
            String(e.overall.correct),
            String(e.overall.total),
            pct(e.overall.accuracy),
            pct(e.fullAccuracy),
            num(e.cost, 2),
            e.escalated ? pct(e.escalated.rate) : '–',
          ],
        ],
      ),
      '',
    );
    if (e.curve && e.curve.length > 1) {
      out.push(
        `Cascade floors (one prefix pass; an input whose prefix's top probability is below the floor is routed fully; with a floor > 0 also ` +
          `inputs up to S·M/(M−1)). Main pass: ${pct(e.fullAccuracy)}, cost 1.`,
        '',
      );
      out.push(
        mdTable(
          ['floor', 'accuracy', ...r.domains.map((d) => d.name), 'WER / CER', 'cost', 'measured', 'routed fully (short + low probability)'],
          e.curve.map((c) => [
            String(c.minProbability),
            pct(c.overall.accuracy),
            ...r.domains.map((d) => pct(c.perDomain[d.name]?.accuracy)),
            rateText(c.wer),
            num(c.cost, 3),
            num(c.measuredCost, 3),
            escalationText(c.escalated),
          ]),
        ),
        '',
      );
    }
  }
  if (r.domainGate) {
    const g = r.domainGate;
    const fb =
      (g.fallback.kind === 'full' ? 'full routing' : `early routing on ${g.fallback.seconds} s (cascade floor ${g.fallback.minProbability})`) +
      (g.prune > 0 ? `, pruning members the gate gives less than ${g.prune} (the selector chooses among the rest)` : '');
    out.push('## Domain gate', '');
    out.push(
      `The domain gate (domain-gate.json, a logistic regression over the input's acoustic signature) in front of ${fb}: at or above the floor only the gate's member runs on the whole input, unless its confidence is below the gate's verification floor for it (then the input goes on to the fallback: "passed on"). ` +
        `Main pass (full routing): ${pct(g.fullAccuracy)}, cost 1. With a floor no input reaches, ${g.prune > 0 ? 'pruning alone' : 'the fallback'} scores ${pct(g.fallbackScore.overall.accuracy)} at cost ` +
        `${num(g.fallbackScore.cost, 3)}. Cost: member audio seconds over full routing's; measured: (gate + front ends + models) over the main pass's front ends + models.`,
      '',
    );
    out.push(
      mdTable(
        [
          'floor',
          'gated',
          'gated accuracy',
          'verification: passed on',
          'accuracy',
          ...r.domains.map((d) => `${d.name} (gated)`),
          'WER / CER',
          'cost',
          'measured',
        ],
        g.curve.map((c) => [
          String(c.minProbability),
          pct(c.gated.share),
          pct(c.gated.accuracy),
          String(c.verifyPassedOn ?? 0),
          pct(c.overall.accuracy),
          ...r.domains.map((d) => `${pct(c.perDomain[d.name]?.accuracy)} (${pct(c.perDomainGated[d.name]?.share)})`),
          rateText(c.wer),
          num(c.cost, 3),
          num(c.measuredCost, 3),
        ]),
      ),
      '',
    );
  }
  out.push('## Confusion matrix', '', 'Rows: true domain; columns: the member the selector chose.', '');
  out.push(
    mdTable(
      ['true \\ chosen', ...r.selection.confusion.columns],
      r.selection.confusion.rows.map((d, i) => [d, ...r.selection.confusion.matrix[i].map(String)]),
    ),
    '',
  );
  out.push('## WER / CER', '');
  out.push(
    'Each cell is WER / CER (corpus level: total errors / total reference words or characters) after normalisation ' +
      '(NFC, lower case, apostrophes removed, other punctuation and symbols replaced by spaces, whitespace collapsed). ' +
      '*oracle*: per utterance the member with the fewest word errors; *true-domain*: the member the utterance belongs to.',
    '',
  );
  out.push(
    mdTable(
      ['system', ...r.domains.map((d) => d.name), 'all'],
      r.systems.map((s) => [s.label, ...r.domains.map((d) => rateText(s.perDomain[d.name])), rateText(s.overall)]),
    ),
    '',
  );
  out.push('## Selector calibration', '');
  out.push(
    `Utterances binned by the selector's highest probability; accuracy = fraction where the chosen member is the true domain. ` +
      `ECE ${num(r.calibration.ece, 4)}, MCE ${num(r.calibration.mce, 4)}.`,
    '',
  );
  out.push(
    mdTable(
      ['max probability', 'utterances', 'mean probability', 'accuracy'],
      r.calibration.bins.map((b) => [`${b.lo.toFixed(1)}–${b.hi.toFixed(1)}`, String(b.count), num(b.meanConfidence), pct(b.accuracy)]),
    ),
    '',
  );
  out.push('## Member confidence by domain', '', "Mean ± std (median) of each member's confidence on each domain's utterances.", '');
  out.push(
    mdTable(
      ['member', ...r.domains.map((d) => d.name)],
      r.members.map((m) => [
        m,
        ...r.domains.map((d) => {
          const s = r.confidence[m]?.[d.name];
          return s && s.count > 0 ? `${num(s.mean)} ± ${num(s.std)} (${num(s.median)})` : '–';
        }),
      ]),
    ),
    '',
  );
  return out.join('\n');
}

// ---------------------------------------------------------------- HTML / SVG

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
const color = (i: number): string => PALETTE[i % PALETTE.length];
const f = (x: number): string => (Math.round(x * 10) / 10).toString();

function svgOpen(w: number, h: number, title: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="${esc(title)}"><title>${esc(title)}</title>`;
}

function legend(items: Array<{ label: string; color: string }>, x: number, y: number): string {
  return items
    .map(
      (it, i) =>
        `<rect x="${x}" y="${y + i * 18}" width="12" height="12" fill="${it.color}"/><text x="${x + 18}" y="${y + i * 18 + 10}" class="small">${esc(it.label)}</text>`,
    )
    .join('');
}

/** Confusion heat map; colour = row-normalised fraction, text = count. */
export function confusionSvg(r: EvalReport): string {
  const { rows, columns, matrix } = r.selection.confusion;
  const cell = 56;
  const left = 110;
  const top = 70;
  const w = left + columns.length * cell + 20;
  const h = top + rows.length * cell + 20;
  let s = svgOpen(w, h, 'Confusion matrix: rows true domain, columns chosen member');
  s += `<text x="${left + (columns.length * cell) / 2}" y="16" text-anchor="middle" class="axis">chosen member</text>`;
  columns.forEach((c, j) => {
    s += `<text x="${left + j * cell + cell / 2}" y="${top - 10}" text-anchor="middle" class="small">${esc(c)}</text>`;
  });
  s += `<text x="14" y="${top + (rows.length * cell) / 2}" transform="rotate(-90 14 ${top + (rows.length * cell) / 2})" text-anchor="middle" class="axis">true domain</text>`;
  rows.forEach((d, i) => {
    const row = matrix[i];
    const total = row.reduce((a, b) => a + b, 0);
    s += `<text x="${left - 8}" y="${top + i * cell + cell / 2 + 4}" text-anchor="end" class="small">${esc(d)}</text>`;
    row.forEach((v, j) => {
      const frac = total > 0 ? v / total : 0;
      const diag = columns[j] === d;
      const fill = diag ? `rgba(46,125,50,${(0.08 + 0.85 * frac).toFixed(3)})` : `rgba(198,40,40,${(0.08 + 0.85 * frac).toFixed(3)})`;
      s += `<rect x="${left + j * cell}" y="${top + i * cell}" width="${cell - 2}" height="${cell - 2}" fill="${fill}"><title>${esc(d)} → ${esc(columns[j])}: ${v} (${pct(frac)})</title></rect>`;
      s += `<text x="${left + j * cell + cell / 2 - 1}" y="${top + i * cell + cell / 2 + 4}" text-anchor="middle" class="${frac > 0.55 ? 'cellhi' : 'cell'}">${v}</text>`;
    });
  });
  return `${s}</svg>`;
}

/** Reliability diagram: accuracy per max-probability bin against the diagonal. */
export function reliabilitySvg(r: EvalReport): string {
  const W = 320;
  const H = 260;
  const L = 46;
  const T = 16;
  const pw = W - L - 16;
  const ph = H - T - 40;
  let s = svgOpen(W, H, `Selector reliability diagram, ECE ${num(r.calibration.ece, 4)}`);
  s += `<rect x="${L}" y="${T}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`;
  s += `<line x1="${L}" y1="${T + ph}" x2="${L + pw}" y2="${T}" stroke="#999" stroke-dasharray="4 3"/>`;
  const bw = pw / r.calibration.bins.length;
  r.calibration.bins.forEach((b, i) => {
    if (b.count === 0 || b.accuracy === null) return;
    const bh = b.accuracy * ph;
    s += `<rect x="${f(L + i * bw + 1)}" y="${f(T + ph - bh)}" width="${f(bw - 2)}" height="${f(bh)}" fill="${color(0)}" opacity="0.8"><title>${b.lo.toFixed(1)}–${b.hi.toFixed(1)}: ${b.count} utterances, accuracy ${pct(b.accuracy)}, mean probability ${num(b.meanConfidence)}</title></rect>`;
  });
  for (let t = 0; t <= 4; t++) {
    const v = t / 4;
    s += `<text x="${L - 6}" y="${f(T + ph - v * ph + 4)}" text-anchor="end" class="small">${v.toFixed(2)}</text>`;
    s += `<text x="${f(L + v * pw)}" y="${T + ph + 14}" text-anchor="middle" class="small">${v.toFixed(2)}</text>`;
  }
  s += `<text x="${L + pw / 2}" y="${H - 6}" text-anchor="middle" class="axis">max selector probability</text>`;
  s += `<text x="12" y="${T + ph / 2}" transform="rotate(-90 12 ${T + ph / 2})" text-anchor="middle" class="axis">accuracy</text>`;
  return `${s}</svg>`;
}

/** Grouped bars: WER per domain (and all) for the given systems. */
export function werBarsSvg(r: EvalReport, systemIds: string[], title: string): string {
  const systems = systemIds.map((id) => r.systems.find((s) => s.id === id)).filter((s): s is NonNullable<typeof s> => s !== undefined);
  const groups = [...r.domains.map((d) => d.name), 'all'];
  const cellOf = (sysIdx: number, g: string): RateCell | undefined => (g === 'all' ? systems[sysIdx].overall : systems[sysIdx].perDomain[g]);
  let maxW = 0;
  systems.forEach((_, i) => groups.forEach((g) => (maxW = Math.max(maxW, cellOf(i, g)?.wer ?? 0))));
  const top = Math.max(0.1, Math.ceil(maxW * 10) / 10);
  const barW = 16;
  const groupW = systems.length * barW + 24;
  const L = 50;
  const T = 14;
  const ph = 200;
  const legendW = 230;
  const W = L + groups.length * groupW + legendW;
  const H = Math.max(T + ph + 46, T + systems.length * 18 + 10);
  let s = svgOpen(W, H, title);
  for (let t = 0; t <= 4; t++) {
    const v = (top * t) / 4;
    const y = T + ph - (v / top) * ph;
    s += `<line x1="${L}" y1="${f(y)}" x2="${L + groups.length * groupW}" y2="${f(y)}" stroke="#e0e0e0"/>`;
    s += `<text x="${L - 6}" y="${f(y + 4)}" text-anchor="end" class="small">${(v * 100).toFixed(0)}%</text>`;
  }
  groups.forEach((g, gi) => {
    const gx = L + gi * groupW + 12;
    systems.forEach((sys, si) => {
      const c = cellOf(si, g);
      if (!c || c.wer === null) return;
      const v = Math.min(c.wer, top);
      const bh = (v / top) * ph;
      s += `<rect x="${gx + si * barW}" y="${f(T + ph - bh)}" width="${barW - 2}" height="${f(bh)}" fill="${color(si)}"><title>${esc(sys.label)} on ${esc(g)}: WER ${pct(c.wer)}, CER ${pct(c.cer)}</title></rect>`;
    });
    s += `<text x="${gx + (systems.length * barW) / 2}" y="${T + ph + 16}" text-anchor="middle" class="small">${esc(g)}</text>`;
  });
  s += `<text x="${L + (groups.length * groupW) / 2}" y="${T + ph + 36}" text-anchor="middle" class="axis">WER by domain</text>`;
  s += legend(
    systems.map((sys, i) => ({ label: sys.label, color: color(i) })),
    L + groups.length * groupW + 12,
    T,
  );
  return `${s}</svg>`;
}

/** One panel per member: box plot of its confidence on each domain, with the individual values as dots. */
export function confidenceSvg(r: EvalReport): string {
  const domains = r.domains.map((d) => d.name);
  const panelW = 60 + domains.length * 46;
  const ph = 180;
  const T = 26;
  const W = r.members.length * (panelW + 16) + 150;
  const H = T + ph + 40;
  const all: number[] = [];
  for (const u of r.perUtterance)
    for (const m of r.members) if (typeof u.confidences[m] === 'number' && Number.isFinite(u.confidences[m])) all.push(u.confidences[m]);
  let lo = Math.min(0, ...all);
  let hi = Math.max(1, ...all);
  if (!(hi > lo)) {
    lo = 0;
    hi = 1;
  }
  const yOf = (v: number): number => T + ph - ((v - lo) / (hi - lo)) * ph;
  let s = svgOpen(W, H, "Each member's confidence distribution by domain");
  r.members.forEach((m, mi) => {
    const px = mi * (panelW + 16) + 40;
    s += `<text x="${px + panelW / 2}" y="14" text-anchor="middle" class="axis">${esc(m)}</text>`;
    s += `<rect x="${px}" y="${T}" width="${panelW - 20}" height="${ph}" fill="none" stroke="#ccc"/>`;
    for (let t = 0; t <= 4; t++) {
      const v = lo + ((hi - lo) * t) / 4;
      s += `<text x="${px - 4}" y="${f(yOf(v) + 4)}" text-anchor="end" class="small">${v.toFixed(2)}</text>`;
    }
    domains.forEach((d, di) => {
      const cx = px + 26 + di * 46;
      const st = r.confidence[m]?.[d];
      const vals = r.perUtterance
        .filter((u) => u.domain === d)
        .map((u) => u.confidences[m])
        .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
      if (st && st.count > 0) {
        s += `<line x1="${cx}" y1="${f(yOf(st.min))}" x2="${cx}" y2="${f(yOf(st.max))}" stroke="${color(di)}"/>`;
        s += `<rect x="${cx - 10}" y="${f(yOf(st.p75))}" width="20" height="${f(Math.max(1, yOf(st.p25) - yOf(st.p75)))}" fill="${color(di)}" fill-opacity="0.35" stroke="${color(di)}"><title>${esc(m)} on ${esc(d)}: median ${num(st.median)}, IQR ${num(st.p25)}–${num(st.p75)}, n=${st.count}</title></rect>`;
        s += `<line x1="${cx - 10}" y1="${f(yOf(st.median))}" x2="${cx + 10}" y2="${f(yOf(st.median))}" stroke="${color(di)}" stroke-width="2"/>`;
      }
      vals.slice(0, 400).forEach((v, k) => {
        const jitter = ((k * 7919) % 13) - 6;
        s += `<circle cx="${f(cx + 14 + jitter / 3)}" cy="${f(yOf(v))}" r="1.6" fill="${color(di)}" fill-opacity="0.6"/>`;
      });
    });
  });
  s += legend(
    domains.map((d, i) => ({ label: `domain ${d}`, color: color(i) })),
    r.members.length * (panelW + 16) + 30,
    T,
  );
  return `${s}</svg>`;
}

/** `eval.html`: self-contained (inline CSS and SVG; no scripts, no network). */
export function renderHtml(r: EvalReport): string {
  const mainIds = ['ensemble', 'ensemble+lm', 'oracle', 'oracle+lm', 'true-domain', 'true-domain+lm'];
  const memberIds = r.systems.filter((s) => s.kind === 'member').map((s) => s.id);
  const table = (header: string[], rows: string[][]): string =>
    `<table><thead><tr>${header.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
      .map((row) => `<tr>${row.map((c, i) => (i === 0 ? `<th scope="row">${esc(c)}</th>` : `<td>${esc(c)}</td>`)).join('')}</tr>`)
      .join('')}</tbody></table>`;
  const sel = r.selection;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ensemble evaluation</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#222}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #ddd;padding:.25rem .6rem;text-align:right;font-variant-numeric:tabular-nums}
th[scope=row]{text-align:left;font-weight:600}thead th{background:#f4f4f4}
.small{font-size:11px;fill:#333}.axis{font-size:12px;fill:#222;font-weight:600}.cell{font-size:13px;fill:#111}.cellhi{font-size:13px;fill:#fff;font-weight:700}
.charts{display:flex;flex-wrap:wrap;gap:2rem;align-items:flex-start}figure{margin:0}figcaption{font-size:.85rem;color:#555}
.note{color:#555;font-size:.9rem}
</style></head><body>
<h1>Ensemble evaluation</h1>
<p>${r.utterances} utterances (${r.audioSeconds.toFixed(1)} s of audio) over ${r.domains.length} domain(s); members: ${esc(r.members.join(', '))};
LM decoding: ${r.lm ? `yes (${esc(r.lmMembers.join(', '))})` : 'no'}. Overall selection accuracy <strong>${pct(sel.overall.accuracy)}</strong>.
<span class="note">Created ${esc(r.createdAt)}; ${r.wallSeconds.toFixed(1)} s (${esc(r.parallelism)}).</span></p>
<h2>Selection</h2>
<div class="charts">
<figure>${confusionSvg(r)}<figcaption>Confusion matrix (rows: true domain, columns: chosen member; colour: share of the row).</figcaption></figure>
<figure>${reliabilitySvg(r)}<figcaption>Reliability of the selector's max probability. ECE ${num(r.calibration.ece, 4)}, MCE ${num(r.calibration.mce, 4)}.</figcaption></figure>
</div>
${table(
  ['domain', 'correct', 'total', 'accuracy'],
  [
    ...r.domains.map((d) => {
      const a = sel.perDomain[d.name];
      return [d.name, String(a.correct), String(a.total), pct(a.accuracy)];
    }),
    ['overall', String(sel.overall.correct), String(sel.overall.total), pct(sel.overall.accuracy)],
  ],
)}
<h2>Word and character error rates</h2>
<p class="note">Corpus-level rates after normalisation (NFC, lower case, apostrophes removed, other punctuation and symbols replaced by spaces, whitespace collapsed). Oracle: per utterance the member with the fewest word errors.</p>
<div class="charts">
<figure>${werBarsSvg(r, mainIds, 'WER by domain: ensemble, oracle and true-domain member')}<figcaption>Ensemble against the oracle and the true-domain member.</figcaption></figure>
<figure>${werBarsSvg(r, memberIds, 'WER by domain: each single member')}<figcaption>Each single member on every domain.</figcaption></figure>
</div>
${table(
  ['system (WER / CER)', ...r.domains.map((d) => d.name), 'all'],
  r.systems.map((s) => [s.label, ...r.domains.map((d) => rateText(s.perDomain[d.name])), rateText(s.overall)]),
)}
<h2>Member confidence by domain</h2>
<figure>${confidenceSvg(r)}<figcaption>Box: quartiles and median; whiskers: min–max; dots: utterances.</figcaption></figure>
<h2>Calibration table</h2>
${table(
  ['max probability', 'utterances', 'mean probability', 'accuracy'],
  r.calibration.bins.map((b) => [`${b.lo.toFixed(1)}–${b.hi.toFixed(1)}`, String(b.count), num(b.meanConfidence), pct(b.accuracy)]),
)}
</body></html>
`;
}

/** Write eval.json, eval.md and eval.html into `outDir` (atomically); returns their paths. */
export async function writeReports(r: EvalReport, outDir: string): Promise<{ json: string; md: string; html: string }> {
  const json = path.join(outDir, 'eval.json');
  const md = path.join(outDir, 'eval.md');
  const html = path.join(outDir, 'eval.html');
  await writeFileAtomic(json, `${JSON.stringify(r, null, 2)}\n`);
  await writeFileAtomic(md, `${renderMarkdown(r)}\n`);
  await writeFileAtomic(html, renderHtml(r));
  return { json, md, html };
}
