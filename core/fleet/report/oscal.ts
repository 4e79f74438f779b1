/**
 * `assessment-results.oscal.json`: the fleet report as OSCAL Assessment Results, for compliance
 * tools (research NOTES §4). One result; each machine is an inventory item; each machine's latest
 * receipt is an observation (method TEST, the receipt file and its SHA-256 as evidence); each
 * directive is a finding against NIST SP 800-53 CM-7(4) "Unauthorized Software", satisfied when
 * no reporting machine has that directive's products installed and every receipt verified. There
 * is no assessment plan, so `import-ap` points at a back-matter resource that says so. UUIDs are
 * derived from the content (the same input gives the same document). Pure.
 */
import { createHash } from 'node:crypto';
import type { Catalog } from '../../model/catalog';
import type { FleetReport, HostEntry } from '../../model/fleet-report';

export const OSCAL_VERSION = '1.1.2';
/** The namespace of Divest's own OSCAL properties. */
export const DIVEST_OSCAL_NS = 'urn:x-divest:oscal';

/** A name-based (version 5 layout) UUID from `seed`. */
export function uuidFrom(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  const variant = ((parseInt(h.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const prop = (name: string, value: string): { name: string; ns: string; value: string } => ({
  name,
  ns: DIVEST_OSCAL_NS,
  value: value === '' ? '-' : value,
});

function observation(h: HostEntry, itemUuid: string, seed: string): Record<string, unknown> {
  const still = h.stillInstalled.length
    ? `; still installed: ${h.stillInstalled.map((p) => p.name).join(', ')}`
    : '';
  return {
    uuid: uuidFrom(`${seed}|observation|${h.machineId}|${h.receipt.sha256}`),
    title: `Divest receipt for ${h.hostname}`,
    description: `Signed Divest receipt (${h.receipt.schema}): state=${h.status}${still}; protection ${h.protection.state}; catalog ${h.catalog.version}${h.flags.length ? `; flags: ${h.flags.join(', ')}` : ''}.`,
    props: [
      prop('status', h.status),
      prop('compliant', h.compliant ? 'yes' : 'no'),
      prop('key-fingerprint', h.fingerprint),
    ],
    methods: ['TEST'],
    types: ['finding'],
    subjects: [{ 'subject-uuid': itemUuid, type: 'inventory-item' }],
    'relevant-evidence': [
      {
        href: h.receipt.file,
        description: `Divest receipt ${h.receipt.id}, issued ${h.receipt.issuedAt}.`,
        props: [prop('sha256', h.receipt.sha256)],
      },
    ],
    collected: h.receipt.issuedAt,
  };
}

/** The OSCAL Assessment Results document of a fleet report. */
export function oscalAssessmentResults(r: FleetReport, catalog: Catalog): Record<string, unknown> {
  const hashes = createHash('sha256');
  for (const h of r.hosts) hashes.update(h.receipt.sha256);
  const seed = `${r.generatedAt}|${r.inputs.directory}|${hashes.digest('hex')}`;
  const noPlan = uuidFrom(`${seed}|no-plan`);
  const itemOf = (h: HostEntry): string => uuidFrom(`${seed}|item|${h.machineId}`);
  const observations = r.hosts.map((h) => ({ host: h, obs: observation(h, itemOf(h), seed) }));
  const findings = catalog.directives.map((d) => {
    const banned = new Set(catalog.products.filter((p) => p.directives.includes(d.id)).map((p) => p.id));
    const failing = r.hosts.filter(
      (h) => h.stillInstalled.some((p) => banned.has(p.productId)) || !h.compliant,
    );
    const satisfied = failing.length === 0 && r.summary.invalidReceipts === 0 && r.hosts.length > 0;
    const related = (satisfied ? observations : observations.filter((o) => failing.includes(o.host))).map(
      (o) => ({
        'observation-uuid': o.obs.uuid as string,
      }),
    );
    return {
      uuid: uuidFrom(`${seed}|finding|${d.id}`),
      title: `${d.shortName}: ${satisfied ? 'no banned products installed' : 'banned products installed or unverified'}`,
      description: satisfied
        ? `None of the ${r.hosts.length} reporting machines has a product banned by ${d.shortName} installed, and every receipt verified.`
        : `${failing.length} of ${r.hosts.length} machines are not compliant with ${d.shortName}${r.summary.invalidReceipts ? `, and ${r.summary.invalidReceipts} receipts failed verification` : ''}.`,
      target: {
        type: 'objective-id',
        'target-id': 'cm-7.4_obj',
        status: { state: satisfied ? 'satisfied' : 'not-satisfied' },
      },
      ...(related.length ? { 'related-observations': related } : {}),
    };
  });
  const start = r.hosts.reduce(
    (min, h) => (h.receipt.issuedAt < min ? h.receipt.issuedAt : min),
    r.generatedAt,
  );
  return {
    'assessment-results': {
      uuid: uuidFrom(`${seed}|document`),
      metadata: {
        title: 'Divest fleet report: banned security software',
        'last-modified': r.generatedAt,
        version: `divest-fleet-report-${r.generatedAt.slice(0, 10)}`,
        'oscal-version': OSCAL_VERSION,
        props: [prop('divest-version', r.app.version), prop('catalog-version', r.catalog.version)],
      },
      'import-ap': { href: `#${noPlan}` },
      results: [
        {
          uuid: uuidFrom(`${seed}|result`),
          title: `Divest scan and removal results, ${r.generatedAt.slice(0, 10)}`,
          description: r.method,
          start,
          end: r.generatedAt,
          ...(r.hosts.length
            ? {
                'local-definitions': {
                  'inventory-items': r.hosts.map((h) => ({
                    uuid: itemOf(h),
                    description: `Endpoint ${h.hostname} (${h.os} ${h.osVersion}), machine id ${h.machineId}.`,
                    props: [prop('machine-id', h.machineId), prop('hostname', h.hostname)],
                  })),
                },
              }
            : {}),
          'reviewed-controls': {
            'control-selections': [{ 'include-controls': [{ 'control-id': 'cm-7.4' }] }],
          },
          ...(observations.length ? { observations: observations.map((o) => o.obs) } : {}),
          findings,
        },
      ],
      'back-matter': {
        resources: [
          {
            uuid: noPlan,
            title: 'No assessment plan',
            description:
              'These results come from automated endpoint checks by Divest; no OSCAL assessment plan was used.',
          },
        ],
      },
    },
  };
}
