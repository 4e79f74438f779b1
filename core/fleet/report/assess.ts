/**
 * From the collected receipts to `divest.fleet-report/1`: one entry per machine (its latest valid
 * receipt), the flags on its evidence, compliance, the products found with their endpoint counts,
 * and the method in words. Pure: the time, the pins and the catalog are inputs.
 */
import type { Catalog } from '../../model/catalog';
import {
  FLEET_REPORT_SCHEMA,
  type FleetReport,
  type HostEntry,
  type HostFlag,
} from '../../model/fleet-report';
import { FleetStatus } from '../../model/verdict';
import type { FleetCollector, MachineRecords } from './collect';

export interface AssessOptions {
  catalog: { catalog: Catalog; sha256: string };
  appVersion: string;
  directory: string;
  now: Date;
  /** machineId -> pinned fingerprint, and the file they came from. */
  pins?: { file: string; byMachine: ReadonlyMap<string, string> };
  catalogMin?: string;
  maxAgeDays?: number;
}

/** Compares catalog versions (`2026.11.22`, `2026.11.22.1`) part by part. */
export function compareCatalogVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** Statuses in which no banned software is installed. */
const NOTHING_BANNED: ReadonlySet<string> = new Set(['clean', 'unprotected']);

function flagsOf(m: MachineRecords, o: AssessOptions, invalidFor: ReadonlySet<string>): [HostFlag, string][] {
  const r = m.latest;
  const flags: [HostFlag, string][] = [];
  if (invalidFor.has(r.machineId))
    flags.push([
      'invalid-receipt',
      'A receipt naming this machine failed verification (see the invalid receipts).',
    ]);
  if (o.pins) {
    const pinned = o.pins.byMachine.get(r.machineId);
    if (!pinned)
      flags.push([
        'unpinned',
        `The pins file does not list this machine; its key ${r.fingerprint} is unconfirmed.`,
      ]);
    else if ([...m.keys].some((k) => k !== pinned))
      flags.push([
        'pinned-to-other-key',
        `Its receipts are signed by ${[...m.keys].filter((k) => k !== pinned).join(', ')}, not by the pinned key ${pinned}.`,
      ]);
  }
  if (m.keys.size > 1)
    flags.push([
      'rekeyed',
      `${m.keys.size} different keys signed receipts of this machine: ${[...m.keys].join(', ')}.`,
    ]);
  if (!r.journal.intact)
    flags.push([
      'journal-broken',
      'The journal was damaged when the receipt was issued ("divest log verify" on the machine says where).',
    ]);
  if (o.catalogMin && compareCatalogVersions(r.catalog.version, o.catalogMin) < 0)
    flags.push(['catalog-old', `Catalog ${r.catalog.version} is older than the required ${o.catalogMin}.`]);
  if (o.maxAgeDays !== undefined) {
    const days = (o.now.getTime() - Date.parse(r.issuedAt)) / 86_400_000;
    if (days > o.maxAgeDays)
      flags.push([
        'stale',
        `The latest receipt is ${Math.floor(days)} days old (more than ${o.maxAgeDays}).`,
      ]);
  }
  return flags;
}

function hostEntry(m: MachineRecords, o: AssessOptions, invalidFor: ReadonlySet<string>): HostEntry {
  const r = m.latest;
  const flags = flagsOf(m, o, invalidFor);
  return {
    machineId: r.machineId,
    hostname: r.hostname,
    os: r.os,
    osVersion: r.osVersion,
    receipt: {
      id: r.id,
      file: r.file,
      sha256: r.sha256,
      issuedAt: r.issuedAt,
      kind: r.kind,
      schema: r.schema,
    },
    receiptsRead: m.count,
    fingerprint: r.fingerprint,
    keys: [...m.keys].sort(),
    status: r.status,
    verdictState: r.verdictState,
    statusSource: r.statusSource,
    protection: r.protection,
    stillInstalled: r.stillInstalled,
    found: r.found,
    removed: r.removed,
    directives: r.directives,
    catalog: r.catalog,
    journal: r.journal,
    flags: flags.map(([f]) => f),
    flagDetails: flags.map(([, d]) => d),
    compliant: NOTHING_BANNED.has(r.status) && flags.length === 0,
  };
}

function methodParagraph(report: Omit<FleetReport, 'method'>, catalog: Catalog): string {
  const versions = [...new Set(report.hosts.map((h) => `${h.catalog.version} (sha256 ${h.catalog.sha256})`))];
  const oses = [...new Set(report.hosts.map((h) => h.os))].sort();
  const kinds: Record<string, string> = {
    windows:
      'the Windows Uninstall registry keys (64-bit, 32-bit and per-user), services and kernel drivers, the vendor registry key, the Security Center antivirus list and the catalog folders',
    linux:
      'the dpkg and rpm package databases, systemd units and init scripts, running processes and the catalog folders',
    macos:
      'application bundles, installer receipts, launchd jobs, system extensions and kernel extensions, running processes and the catalog folders',
  };
  const pins = report.inputs.pins
    ? `Each receipt's signing key was compared with the key pinned for its machine (${report.inputs.pins.machines} machines in ${report.inputs.pins.file}).`
    : 'No pins file was given: receipt keys were trusted on first use and only checked for consistency per machine.';
  return [
    `Each endpoint ran Divest, which inspected ${oses.length ? oses.map((os) => `on ${os === 'macos' ? 'macOS' : os === 'linux' ? 'Linux' : 'Windows'}: ${kinds[os]}`).join('; ') : 'the machine'}, and matched what it found against a catalog of the products each directive names (${catalog.directives.map((d) => d.shortName).join('; ')}), recognising a product by its publisher, package maintainer, bundle identifier or team id and never by a name prefix alone.`,
    `Where banned software was installed, Divest removed it with the vendor's own uninstaller, scanned again and checked that a replacement antivirus was active.`,
    `Each endpoint then issued a receipt signed with its own Ed25519 key over the RFC 8785 canonical JSON of its content, which records the findings, every removal step, the state after, the catalog version and hash, and the head of the endpoint's hash-chained journal.`,
    `This report verified ${report.inputs.filesRead} receipt files (${report.summary.invalidReceipts} failed verification and are listed), kept the latest valid receipt of each of ${report.summary.hosts} machines, and flagged broken journals, changed keys${report.inputs.catalogMin ? `, catalogs older than ${report.inputs.catalogMin}` : ''}${report.inputs.maxAgeDays !== null ? ` and receipts older than ${report.inputs.maxAgeDays} days` : ''}. ${pins}`,
    `Catalogs used by the endpoints: ${versions.length ? versions.join('; ') : 'none'}. Report made by Divest ${report.app.version} with catalog ${report.catalog.version}.`,
  ].join(' ');
}

/** The fleet report from the collected receipts. */
export function assessFleet(c: FleetCollector, o: AssessOptions): FleetReport {
  const invalidFor = new Set(c.invalid.map((i) => i.machineId).filter((m): m is string => m !== null));
  const hosts = [...c.machines.values()]
    .map((m) => hostEntry(m, o, invalidFor))
    .sort(
      (a, b) =>
        Number(a.compliant) - Number(b.compliant) ||
        a.hostname.localeCompare(b.hostname) ||
        a.machineId.localeCompare(b.machineId),
    );
  const byStatus = Object.fromEntries(FleetStatus.options.map((s) => [s, 0])) as Record<FleetStatus, number>;
  for (const h of hosts) byStatus[h.status]++;
  const productNames = new Map(o.catalog.catalog.products.map((p) => [p.id, p]));
  const counts = new Map<string, { name: string; endpoints: number; still: number }>();
  for (const h of hosts) {
    for (const f of h.found) {
      const entry = counts.get(f.productId) ?? {
        name: productNames.get(f.productId)?.name ?? f.name,
        endpoints: 0,
        still: 0,
      };
      entry.endpoints++;
      if (h.stillInstalled.some((s) => s.productId === f.productId)) entry.still++;
      counts.set(f.productId, entry);
    }
  }
  const products = [...counts]
    .map(([productId, v]) => ({
      productId,
      name: v.name,
      directives: productNames.get(productId)?.directives ?? [],
      endpoints: v.endpoints,
      stillInstalledOn: v.still,
    }))
    .sort((a, b) => b.endpoints - a.endpoints || a.name.localeCompare(b.name));
  const compliant = hosts.filter((h) => h.compliant).length;
  const base: Omit<FleetReport, 'method'> = {
    schema: FLEET_REPORT_SCHEMA,
    generatedAt: o.now.toISOString(),
    app: { name: 'divest', version: o.appVersion },
    catalog: { version: o.catalog.catalog.version, sha256: o.catalog.sha256 },
    inputs: {
      directory: o.directory,
      filesRead: c.filesRead,
      pins: o.pins ? { file: o.pins.file, machines: o.pins.byMachine.size } : null,
      catalogMin: o.catalogMin ?? null,
      maxAgeDays: o.maxAgeDays ?? null,
    },
    summary: {
      hosts: hosts.length,
      compliant,
      nonCompliant: hosts.length - compliant,
      flagged: hosts.filter((h) => h.flags.length > 0).length,
      invalidReceipts: c.invalid.length,
      byStatus,
      unprotected: hosts.filter((h) => h.protection.state !== 'active').length,
    },
    products,
    hosts,
    invalid: [...c.invalid].sort((a, b) => a.file.localeCompare(b.file)),
  };
  return { ...base, method: methodParagraph(base, o.catalog.catalog) };
}

/** `divest report`'s exit code: 1 a receipt is invalid, 10 a host is not compliant (or none reported), 0 all compliant. */
export function reportExitCode(r: FleetReport): 0 | 1 | 10 {
  if (r.summary.invalidReceipts > 0) return 1;
  if (r.summary.hosts === 0 || r.summary.nonCompliant > 0) return 10;
  return 0;
}
