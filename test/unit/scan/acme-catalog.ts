/**
 * A small made-up catalog for the scanner's unit tests: one vendor ("Acme") with a main product,
 * an agent removed after it, a product under review, and the vendor's fallback. The built-in
 * catalog's references and directives are reused so it passes the real catalog schema.
 */
import { loadBuiltInCatalog } from '../../../core/catalog/load';
import { Catalog, type CatalogInput } from '../../../core/model/catalog';

const builtIn = loadBuiltInCatalog().catalog;
const ref = builtIn.references[0]!.id;
const directive = builtIn.directives[0]!.id;
const fact = (text: string) => ({ text, refs: [ref] });
const pats = (...res: string[]) => res.map((re) => ({ re, refs: [ref] }));
const paths = (...ps: string[]) => ps.map((path) => ({ path, refs: [ref] }));

type ProductInput = CatalogInput['products'][number];

function product(
  id: string,
  name: string,
  order: number,
  signatures: ProductInput['signatures'],
  extra: Partial<ProductInput> = {},
): ProductInput {
  return {
    id,
    name,
    vendor: 'acme',
    family: 'business',
    status: 'banned',
    statusReason: fact('Made up for a test.'),
    directives: [directive],
    platforms: ['windows', 'linux', 'macos'],
    description: fact(`${name}, made up for a test.`),
    signatures,
    removal: { order },
    refs: [ref],
    ...extra,
  };
}

export const ACME = {
  suite: 'acme-suite',
  agent: 'acme-agent',
  viewer: 'acme-viewer',
  fallback: 'acme-unidentified',
} as const;

export const acmeCatalog: Catalog = Catalog.parse({
  ...builtIn,
  vendors: [
    {
      id: 'acme',
      name: 'Acme Security',
      publishers: pats('^Acme Security$'),
      names: [
        { name: 'Acme Security', refs: [ref] },
        { name: 'Акме Секьюрити', refs: [ref] },
      ],
      folders: ['Acme Security', 'AcmeLab'],
      maintainers: pats('@acme\\.example>?$'),
      teamIds: ['ACME123456'],
      bundleIdPrefixes: ['com.acme.'],
      registryKeys: ['AcmeLab'],
      refs: [ref],
    },
  ],
  products: [
    product(ACME.suite, 'Acme Suite', 10, {
      windows: {
        displayNames: pats('^Acme Suite( \\d+)?$'),
        vendorKeys: pats('^AS\\d+$'),
        vendorProductNames: pats('^Acme Suite'),
        services: pats('^acmesvc$'),
        drivers: pats('^acmeflt$'),
        securityCenter: pats('^Acme Suite$'),
        paths: paths('%ProgramFiles%\\Acme Security\\Acme Suite'),
      },
      linux: {
        packages: [
          { name: 'acme-suite-gui', refs: [ref] },
          { name: 'acme-suite', refs: [ref] },
        ],
        units: pats('^acme-suite$'),
        processes: pats('^acmed$'),
        paths: paths('/opt/acme/suite', '/var/opt/acme/suite'),
      },
      macos: {
        bundleIds: pats('^com\\.acme\\.suite$'),
        appNames: pats('^Acme Suite$'),
        receipts: pats('^com\\.acme\\.suite\\.pkg$'),
        launchd: pats('^com\\.acme\\.suite$'),
        systemExtensions: pats('^com\\.acme\\.suite\\.ext$'),
        processes: pats('^acmemac$'),
        paths: paths('/Applications/Acme Suite.app'),
      },
    }),
    product(ACME.agent, 'Acme Agent', 90, {
      windows: { displayNames: pats('^Acme Agent$'), services: pats('^acmeagent$') },
      linux: {
        packages: [{ name: 'acme-agent', refs: [ref] }],
        paths: paths('/opt/acme/agent', '/var/log/acme'),
      },
    }),
    product(
      ACME.viewer,
      'Acme Viewer',
      200,
      { windows: { displayNames: pats('^Acme Viewer$') } },
      { status: 'review', directives: [] },
    ),
    product(
      ACME.fallback,
      'Acme product (unidentified)',
      50,
      {
        windows: {
          vendorKeys: pats('^(protected|Shared)$'),
          services: pats('^AS\\d+$', '^acmecommon$'),
          drivers: pats('^acme(shared|kbd)$'),
          driverFamilies: pats('^ac[a-z0-9_]+$'),
          serviceFamilies: pats('^ac[a-z0-9_]+$'),
          paths: paths('%ProgramData%\\Acme Security'),
        },
        linux: {
          units: pats('^acme-common$'),
          processes: pats('^acme-helper$'),
          paths: paths('/opt/acme', '/var/log/acme', '/opt/acme/*'),
        },
        macos: {
          bundleIds: pats('^com\\.acme\\.common$'),
          launchd: pats('^com\\.acme\\.updater$'),
          paths: paths('/Library/Application Support/Acme'),
        },
      },
      { fallback: true },
    ),
  ],
});
