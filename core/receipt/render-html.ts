/**
 * The printable page of a receipt: the same facts as the signed JSON, for people.
 *
 * One self-contained HTML document: inline CSS only, no scripts, no images, no fonts to fetch, no
 * links, and a Content-Security-Policy that forbids loading anything, so it opens the same way on
 * an offline auditor's machine and prints cleanly (black on white, A4 or Letter). Every string that
 * comes from the receipt is escaped: product names and paths come from the inspected machine and
 * must never become markup.
 *
 * The page is a rendering, not the proof: it says so, and tells the reader how to verify the JSON.
 */
import type { Finding } from '../model/scan';
import type { Receipt, ReceiptAction, ReceiptReplacement } from '../model/receipt';
import { OUTCOME_WORDS } from './attest';

/**
 * Escapes text for HTML element content and attribute values.
 *
 * Exported for tests and for other printable pages (the same rules everywhere).
 */
export function escapeHtml(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const e = escapeHtml;

const OS_NAMES: Record<string, string> = { windows: 'Windows', macos: 'macOS', linux: 'Linux' };

function time(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return e(iso);
  return e(`${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`);
}

function duration(startedAt: string, finishedAt: string): string {
  const ms = new Date(finishedAt).getTime() - new Date(startedAt).getTime();
  if (!Number.isFinite(ms) || ms < 0) return '';
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function facts(rows: Array<[string, string]>): string {
  return `<dl class="facts">${rows.map(([k, v]) => `<dt>${e(k)}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

/** Quotes one argument for display the way a person would type it (display only: never executed). */
function shownArg(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+,{}\\-]+$/.test(arg) ? arg : `"${arg.replace(/"/g, '\\"')}"`;
}

const PLAN_WORDS: Record<NonNullable<Receipt['plan']>['status'], string> = {
  completed: 'completed',
  failed: 'FAILED (stopped at the failed step)',
  'reboot-pending': 'is waiting for a restart',
  cancelled: 'was STOPPED by the operator before its end',
  incomplete: 'is waiting for a step to be done by hand',
  interrupted: 'was INTERRUPTED (it never finished: a crash, a kill or a power cut)',
};

const REPLACEMENT_WORDS: Record<ReceiptReplacement['state'], string> = {
  active: 'active',
  inactive: 'installed but NOT ACTIVE',
  'not-installed': 'NOT INSTALLED',
  unknown: 'in an UNKNOWN state (could not be confirmed)',
};

function findingBlock(f: Finding, directiveNames: ReadonlyMap<string, string>): string {
  const rows: Array<[string, string]> = [
    ['Vendor', e(f.vendor)],
    ['Version', f.version ? e(f.version) : '<span class="muted">not known</span>'],
    ['Status', f.status === 'banned' ? '<strong>Banned</strong>' : 'To review'],
    ['Presence', f.presence === 'installed' ? 'Installed' : 'Traces only (not running, but not gone)'],
    [
      'Directives',
      f.directives.length > 0
        ? e(f.directives.map((d) => directiveNames.get(d) ?? d).join('; '))
        : '<span class="muted">none</span>',
    ],
    ['Finding id', `<code>${e(f.id)}</code>`],
  ];
  const evidence = f.evidence
    .map(
      (ev) =>
        `<tr><td>${e(ev.kind)}</td><td><code>${e(ev.location)}</code></td><td>${e(ev.detail)}</td></tr>`,
    )
    .join('');
  return `<section class="item">
<h3>${e(f.name)}</h3>
${facts(rows)}
<table><caption>Why we believe it is there</caption>
<thead><tr><th scope="col">Evidence</th><th scope="col">Where</th><th scope="col">What was seen</th></tr></thead>
<tbody>${evidence}</tbody></table>
</section>`;
}

function actionBlock(a: ReceiptAction, index: number): string {
  const bad = a.outcome === 'failed' || a.outcome === 'timed-out';
  const rows: Array<[string, string]> = [
    ['Outcome', bad ? `<strong>${e(OUTCOME_WORDS[a.outcome])}</strong>` : e(OUTCOME_WORDS[a.outcome])],
    [
      'Exit code',
      a.exitCode === null
        ? 'none (the process was stopped or did not start)'
        : `<code>${e(a.exitCode)}</code>`,
    ],
    [
      'Product',
      `<code>${e(a.productId)}</code>${a.findingId ? ` (finding <code>${e(a.findingId)}</code>)` : ''}`,
    ],
    ['Method', e(a.method)],
    [
      'Command',
      a.argv.length > 0
        ? `<code>${e(a.argv.map(shownArg).join(' '))}</code>`
        : '<span class="muted">none</span>',
    ],
    ['Started', time(a.startedAt)],
    [
      'Finished',
      `${time(a.finishedAt)}${duration(a.startedAt, a.finishedAt) ? ` (${e(duration(a.startedAt, a.finishedAt))})` : ''}`,
    ],
    ['Message', e(a.message)],
    [
      'Output SHA-256',
      a.outputSha256 ? `<code>${e(a.outputSha256)}</code>` : '<span class="muted">no output recorded</span>',
    ],
    ['Step id', `<code>${e(a.stepId)}</code>`],
  ];
  return `<section class="item${bad ? ' bad' : ''}">
<h3>Step ${index + 1}: ${e(a.title)}</h3>
${facts(rows)}
</section>`;
}

function replacementSection(rep: Receipt['replacement']): string {
  if (rep === null) {
    return `<div class="notice"><p><strong>Protection was not checked.</strong> This receipt does not record whether a replacement security product is active on this machine.</p></div>`;
  }
  const evidence =
    rep.evidence.length > 0
      ? `<ul class="evidence">${rep.evidence.map((x) => `<li><code>${e(x)}</code></li>`).join('')}</ul>`
      : '<span class="muted">none recorded</span>';
  const rows: Array<[string, string]> = [
    ['Product', e(rep.product)],
    ['State', rep.state === 'active' ? 'Active' : `<strong>${e(REPLACEMENT_WORDS[rep.state])}</strong>`],
    ['Operating system', e(OS_NAMES[rep.os] ?? rep.os)],
    ['Detail', e(rep.detail)],
    ['Checked', time(rep.checkedAt)],
    ['Evidence', evidence],
  ];
  const alert =
    rep.state === 'active'
      ? ''
      : `<div class="alert" role="alert"><p><strong>Warning: this machine may be unprotected.</strong> ${e(rep.product)} is ${e(
          REPLACEMENT_WORDS[rep.state],
        )}. Install or turn on a security product before returning the machine to use.</p></div>`;
  return `${alert}${facts(rows)}`;
}

function groupFingerprint(fp: string): string {
  const hex = fp.replace(/^SHA256:/, '');
  return `SHA256: ${hex.replace(/(.{4})/g, '$1 ').trim()}`;
}

const STYLE = `
:root { color: #000; background: #fff; }
* { box-sizing: border-box; }
body { font: 11pt/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  max-width: 52rem; margin: 2rem auto; padding: 0 1.2rem; color: #000; background: #fff; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 .6rem; padding-bottom: .2rem; border-bottom: 1.5px solid #000; }
h3 { font-size: 1rem; margin: 0 0 .4rem; }
p { margin: .3rem 0; }
.sub { margin: 0 0 1rem; }
.muted { color: #444; font-style: italic; }
code { font-family: ui-monospace, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace; font-size: .88em;
  overflow-wrap: anywhere; word-break: break-word; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .4rem 0 .8rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 .8rem; }
caption { text-align: left; font-weight: 600; padding: .2rem 0; }
th, td { border: 1px solid #555; padding: .25rem .45rem; text-align: left; vertical-align: top; overflow-wrap: break-word; }
th { background: #f2f2f2; }
.summary { border: 2px solid #000; padding: .7rem 1rem; margin: 1rem 0; }
.summary .title { font-size: 1.35rem; font-weight: 700; margin: 0; }
.alert { border: 4px double #000; padding: .6rem 1rem; margin: .8rem 0; font-size: 1.05rem; }
.alert strong { text-transform: uppercase; }
.notice { border: 1.5px dashed #000; padding: .5rem 1rem; margin: .8rem 0; }
.item { border: 1px solid #999; padding: .6rem .8rem; margin: .6rem 0; }
.item.bad { border: 3px solid #000; }
.fingerprint { font-size: 1.05rem; }
ul.evidence { margin: 0; padding-left: 1.2rem; }
ol.steps li { margin: .2rem 0; }
@media print {
  body { margin: 0; max-width: none; padding: 0; font-size: 10pt; }
  @page { margin: 15mm; }
  h2, h3 { break-after: avoid; }
  .item, tr, .alert, .summary, .notice, dl.facts { break-inside: avoid; }
  th { background: none; }
}
`;

/** Page size for printing: US Letter by default (federal users), A4 as a setting. */
export type PaperSize = 'letter' | 'a4';

/**
 * The header and footer printed on every page of the PDF (Chromium's printToPDF templates: its
 * `pageNumber` and `totalPages` classes fill "page x of y"). Values are escaped.
 */
export function pdfPageTemplates(receipt: Receipt): { headerTemplate: string; footerTemplate: string } {
  const style =
    'font-size:8pt;font-family:system-ui,sans-serif;width:100%;margin:0 12mm;display:flex;justify-content:space-between';
  return {
    headerTemplate: `<div style="${style}"><span>Divest receipt ${e(receipt.id)}</span><span>${e(receipt.host.hostname)}</span></div>`,
    footerTemplate: `<div style="${style}"><span>${e(receipt.verdict.state)} \u2014 issued ${e(receipt.issuedAt)}</span><span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`,
  };
}

/**
 * Renders a receipt as one self-contained, printable HTML page.
 *
 * Shows host, operator, time, directives, findings before (with evidence), every action with its
 * outcome and exit code, the state after with leftovers and how to clear them, the replacement
 * state (loudly when the machine may be unprotected), the journal head, app and catalog, the key
 * fingerprint and how to verify the JSON.
 */
export function renderReceiptHtml(receipt: Receipt, paper: PaperSize = 'letter'): string {
  const r = receipt;
  const v = r.verdict;
  const good = v.state === 'clean' || v.state === 'removed';
  const names = new Map(r.directives.map((d) => [d.id, d.shortName]));
  const block = (f: Finding): string => findingBlock(f, names);
  const docTitle = r.kind === 'scan' ? 'Scan receipt' : 'Removal receipt';
  const who = [r.operator.name, r.operator.organisation].filter((x): x is string => !!x && x.length > 0);

  const directives =
    r.directives.length > 0
      ? `<table><thead><tr><th scope="col">Directive</th><th scope="col">Title</th><th scope="col">Id</th></tr></thead><tbody>${r.directives
          .map(
            (d) =>
              `<tr><td>${e(d.shortName)}</td><td>${e(d.title)}</td><td><code>${e(d.id)}</code></td></tr>`,
          )
          .join('')}</tbody></table>`
      : '<p class="muted">No directive recorded.</p>';

  const before =
    r.findingsBefore.length > 0
      ? r.findingsBefore.map(block).join('\n')
      : '<p><strong>Scanned, nothing found.</strong> No banned or questionable software was found.</p>';

  const actions =
    r.actions.length > 0 ? r.actions.map(actionBlock).join('\n') : '<p>No removal steps were run.</p>';

  const afterFindings =
    r.after.findings.length > 0
      ? `<p><strong>Still found after the work: ${e(plural(r.after.findings.length, 'product'))}.</strong></p>${r.after.findings
          .map(block)
          .join('\n')}`
      : r.kind === 'removal'
        ? '<p>A rescan after the work found none of the products.</p>'
        : '<p>Nothing to find: the machine was only scanned.</p>';

  const leftovers =
    r.after.leftovers.length > 0
      ? `<table><caption>Leftovers and how to clear them</caption><thead><tr><th scope="col">Kind</th><th scope="col">Where</th><th scope="col">What</th><th scope="col">How to clear</th></tr></thead><tbody>${r.after.leftovers
          .map(
            (l) =>
              `<tr><td>${e(l.kind)}</td><td><code>${e(l.location)}</code></td><td>${e(l.detail)}</td><td>${e(l.howToClear)}</td></tr>`,
          )
          .join('')}</tbody></table>`
      : '<p>No leftovers.</p>';

  const journalAlert = r.journal.intact
    ? ''
    : `<div class="alert" role="alert"><p><strong>Warning: the local log reported damage.</strong> Some of its lines were changed, removed or cut off before this receipt was issued (run <code>divest log verify</code> on the machine for details).</p></div>`;

  const s = r.signature;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
<title>${e(docTitle)}: ${e(r.host.hostname)} (${time(r.issuedAt)})</title>
<style>${STYLE}@page { size: ${paper === 'a4' ? 'A4' : 'letter'}; }</style>
</head>
<body>
<header>
<h1>${e(docTitle)}</h1>
<p class="sub">Machine <strong>${e(r.host.hostname)}</strong>, issued ${time(r.issuedAt)}${who.length > 0 ? ` by ${e(who.join(', '))}` : ''}.</p>
</header>
<main>
<div class="${good ? 'summary' : 'summary alert'}" role="status"><p class="title">${e(v.headline)}</p>${v.details.map((d) => `<p>${e(d)}</p>`).join('')}</div>

<h2>Machine</h2>
${facts([
  ['Host name', e(r.host.hostname)],
  ['Operating system', `${e(OS_NAMES[r.host.os] ?? r.host.os)} ${e(r.host.osVersion)}`],
  ['Architecture', e(r.host.arch)],
  ['Machine verdict', `<code>${e(v.state)}</code>`],
  ['Machine id', `<code>${e(r.host.machineId)}</code>`],
])}

<h2>Operator</h2>
${facts([
  ['Name', r.operator.name ? e(r.operator.name) : '<span class="muted">not stated</span>'],
  [
    'Organisation',
    r.operator.organisation ? e(r.operator.organisation) : '<span class="muted">not stated</span>',
  ],
  [
    'OS account',
    `${e(r.operator.account.user)} (${r.operator.account.admin === true ? 'administrator' : r.operator.account.admin === false ? 'not an administrator' : 'administrator rights not confirmed'})`,
  ],
  [
    'Receipt issued',
    `${time(r.issuedAt)} (local ${e(r.issuedAtLocal.time)}, ${e(r.issuedAtLocal.timeZone)})`,
  ],
  ['Receipt id', `<code>${e(r.id)}</code>`],
])}

<h2>Directives</h2>
${directives}

<h2>Found before</h2>
${before}

<h2>What was done</h2>
${r.plan ? `<p>Removal plan <code>${e(r.plan.id)}</code> (${e(plural(r.plan.steps, 'step'))}): its run ${e(PLAN_WORDS[r.plan.status])}.</p>` : ''}
${actions}

<h2>State after</h2>
<p>As seen by a scan at ${time(r.after.scanAt)}.</p>
${afterFindings}
${leftovers}

<h2>Protection</h2>
${replacementSection(r.replacement)}

<h2>Log</h2>
${journalAlert}
${facts([
  ['Journal length', e(plural(r.journal.length, 'line'))],
  ['Head hash (SHA-256)', `<code>${e(r.journal.headHash)}</code>`],
  ['Intact', r.journal.intact ? 'yes' : '<strong>NO</strong>'],
])}

<h2>Software</h2>
${facts([
  ['Application', `${e(r.app.name)} ${e(r.app.version)}`],
  ['Catalog version', e(r.catalog.version)],
  ['Catalog SHA-256', `<code>${e(r.catalog.sha256)}</code>`],
])}

<h2>Signature and how to verify</h2>
${facts([
  ['Key fingerprint', `<code class="fingerprint">${e(s.keyFingerprint)}</code>`],
  ['To read aloud', `<code>${e(groupFingerprint(s.keyFingerprint))}</code>`],
  ['Algorithm', e(s.algorithm)],
  ['Public key (base64)', `<code>${e(s.publicKey)}</code>`],
])}
<p>This page is a rendering for people. The proof is the signed JSON file that came with it; a printed page proves nothing by itself. To check it:</p>
<ol class="steps">
<li>On any machine with Divest (no network needed), run <code>divest receipt verify FILE.json</code> on the JSON receipt. It says whether the receipt is intact and prints the key fingerprint.</li>
<li>Compare that fingerprint with the one the operator gave you through another channel (in person, by phone, in a signed letter). A receipt signed by a different key is not from this operator, even if its signature is valid.</li>
<li>Check that the JSON file's receipt id, <code>${e(r.id)}</code>, is the one on this page.</li>
</ol>
</main>
</body>
</html>
`;
}
