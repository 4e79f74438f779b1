/**
 * `report.html`: the fleet report for people, printable. One self-contained document: inline CSS,
 * no scripts, no images, no links to fetch, a Content-Security-Policy that forbids loading
 * anything; every string from a receipt (host names, product names, file names) is escaped.
 */
import type { FleetReport, HostEntry } from '../../model/fleet-report';
import { escapeHtml as e } from '../../receipt/render-html';
import { BOD_17_01_REPORT_30_DAY } from './tables';

const STATUS_WORDS: Record<HostEntry['status'], string> = {
  clean: 'Clean',
  banned: 'Banned software installed',
  'restart-pending': 'Restart pending',
  'needs-credential': 'Needs the uninstall password',
  failed: 'Removal failed',
  unprotected: 'Clean, but UNPROTECTED',
  unverifiable: 'Could not verify',
  'not-scanned': 'Not scanned',
};

const FLAG_WORDS: Record<HostEntry['flags'][number], string> = {
  'invalid-receipt': 'invalid receipt',
  unpinned: 'key not pinned',
  'pinned-to-other-key': 'signed by another key than pinned',
  rekeyed: 'signed by two keys',
  'journal-broken': 'journal damaged',
  'catalog-old': 'catalog too old',
  stale: 'receipt too old',
};

const STYLE = `
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111;margin:2rem auto;max-width:72rem;padding:0 1rem}
h1{font-size:1.6rem;margin:0 0 .25rem}h2{font-size:1.15rem;margin:1.75rem 0 .5rem;border-bottom:1px solid #999}
.verdict{border:2px solid #111;padding:.75rem 1rem;margin:1rem 0;font-size:1.1rem}.verdict.bad{border-color:#b00020}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #bbb;padding:.3rem .45rem;text-align:left;vertical-align:top}
th{background:#eee}td.num{text-align:right}.no{color:#b00020;font-weight:600}.small{font-size:.85rem;color:#333}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85em;word-break:break-all}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}tr{break-inside:avoid}}
`;

function row(cells: readonly string[], header = false): string {
  const tag = header ? 'th' : 'td';
  return `<tr>${cells.map((c) => `<${tag}>${c}</${tag}>`).join('')}</tr>`;
}

function hostRow(h: HostEntry): string {
  return row([
    `${e(h.hostname)}<div class="small"><code>${e(h.machineId)}</code></div>`,
    e(h.os === 'macos' ? 'macOS' : h.os === 'linux' ? 'Linux' : 'Windows'),
    `<span class="${h.compliant ? '' : 'no'}">${e(STATUS_WORDS[h.status])}</span>${h.stillInstalled.length ? `<div class="small">${e(h.stillInstalled.map((p) => p.name).join(', '))}</div>` : ''}`,
    e(
      h.protection.state === 'active'
        ? (h.protection.product ?? 'active')
        : `${h.protection.state}${h.protection.product ? ` (${h.protection.product})` : ''}`,
    ),
    h.flags.length ? `<span class="no">${e(h.flags.map((f) => FLAG_WORDS[f]).join(', '))}</span>` : 'none',
    `${e(h.receipt.issuedAt.slice(0, 19).replace('T', ' '))} UTC<div class="small">${e(h.receipt.file)}</div>`,
    e(h.catalog.version),
  ]);
}

/** The printable page of a fleet report. */
export function renderReportHtml(r: FleetReport): string {
  const bad = r.summary.nonCompliant > 0 || r.summary.invalidReceipts > 0 || r.summary.hosts === 0;
  const headline =
    r.summary.hosts === 0
      ? 'No valid receipt was found: nothing is verified.'
      : bad
        ? `${r.summary.nonCompliant} of ${r.summary.hosts} machines are not compliant${r.summary.invalidReceipts ? `, and ${r.summary.invalidReceipts} receipts failed verification` : ''}.`
        : `All ${r.summary.hosts} machines are compliant: no banned software is installed, and every receipt verified.`;
  const status = Object.entries(r.summary.byStatus)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => row([e(STATUS_WORDS[s as HostEntry['status']]), `<span class="num">${n}</span>`]))
    .join('');
  const bod = r.products.filter((p) => p.directives.includes('bod-17-01'));
  const flagged = r.hosts.filter((h) => h.flags.length > 0);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Divest fleet report ${e(r.generatedAt.slice(0, 10))}</title><style>${STYLE}</style></head><body>
<h1>Divest fleet report</h1>
<p class="small">Made ${e(r.generatedAt)} by Divest ${e(r.app.version)} (catalog ${e(r.catalog.version)}) from <code>${e(r.inputs.directory)}</code>. This page renders <code>report.json</code>; the signed receipts are the proof.</p>
<div class="verdict${bad ? ' bad' : ''}">${e(headline)}</div>
<h2>Summary</h2>
<table>${row(['Machines', 'Compliant', 'Not compliant', 'Flagged', 'Invalid receipts', 'Unprotected'], true)}${row([r.summary.hosts, r.summary.compliant, r.summary.nonCompliant, r.summary.flagged, r.summary.invalidReceipts, r.summary.unprotected].map((n) => `<span class="num">${n}</span>`))}</table>
<table>${row(['Status', 'Machines'], true)}${status || row(['none', '0'])}</table>
<h2>BOD 17-01: 30-day report</h2>
<p><strong>(a)</strong> ${e(BOD_17_01_REPORT_30_DAY.a)}</p>
<p>${bod.length ? e(bod.map((p) => p.name).join('; ')) : e(`No Kaspersky-branded products were found on the ${r.summary.hosts} endpoints reporting.`)}</p>
<p><strong>(b)</strong> ${e(BOD_17_01_REPORT_30_DAY.b)}</p>
<table>${row(['Product', 'Endpoints', 'Still installed on'], true)}${bod.map((p) => row([e(p.name), `<span class="num">${p.endpoints}</span>`, `<span class="num">${p.stillInstalledOn}</span>`])).join('') || row(['none', '0', '0'])}</table>
<p><strong>(c)</strong> ${e(BOD_17_01_REPORT_30_DAY.c)}</p>
<p>${e(r.method)}</p>
<h2>Machines</h2>
<table>${row(['Machine', 'OS', 'Status', 'Protection', 'Flags', 'Latest receipt', 'Catalog'], true)}${r.hosts.map(hostRow).join('')}</table>
${flagged.length ? `<h2>Flags</h2><table>${row(['Machine', 'What is wrong'], true)}${flagged.map((h) => row([e(h.hostname), h.flagDetails.map((d) => e(d)).join('<br>')])).join('')}</table>` : ''}
${r.invalid.length ? `<h2>Receipts that failed verification</h2><table>${row(['File', 'Claims to be', 'Problems'], true)}${r.invalid.map((i) => row([`<code>${e(i.file)}</code>`, e(i.machineId ?? 'unknown'), i.problems.map((p) => e(p)).join('<br>')])).join('')}</table>` : ''}
</body></html>
`;
}
