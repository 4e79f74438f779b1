/**
 * `divest fleet osquery|fleet-gitops|intune|configmgr|ansible --out DIR`: the artifacts that let
 * fleet engines run Divest, generated from the active catalog (core/fleet). Exit 0 written,
 * 1 failed (a catalog pattern osquery cannot run is refused by name), 2 usage.
 */
import {
  chmodSync,
  copyFileSync,
  existsSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import * as z from 'zod';
import { provenanceOf, type GeneratedFile } from '../core/fleet/artifacts';
import { fleetGitopsFiles } from '../core/fleet/fleet-gitops';
import { osqueryPackFiles } from '../core/fleet/osquery-pack';
import { configMgrFiles, intuneFiles } from '../core/fleet/windows-engines';
import { DivestError } from '../core/errors';
import { ensureDir } from '../core/fs-dirs';
import { UsageError, parseCommand } from './args';
import { loadCatalog } from './context';
import { seaApi } from './sea';
import { VERSION } from './version';

const HELP = `divest fleet osquery --out DIR [--catalog FILE]        osquery packs (divest.conf, packs/*.json)
divest fleet fleet-gitops --out DIR [--catalog FILE]   Fleet GitOps lib/ files: policies, reports, remediation scripts
divest fleet intune --out DIR                          Intune Remediations detection/remediation scripts
divest fleet configmgr --out DIR                       Configuration Manager detection script and settings
divest fleet ansible --out DIR [--binaries DIR]        the Ansible collection divest.endpoint, with the executables

Every file names the catalog version and sha256 it was generated from: regenerate after a catalog
update. Files of the same name in DIR are replaced. Exit codes: 0 written, 1 failed, 2 usage.
`;

const SUBCOMMANDS = ['osquery', 'fleet-gitops', 'intune', 'configmgr', 'ansible'] as const;
type Sub = (typeof SUBCOMMANDS)[number];

/** Executables the collection carries, by the names `npm run build:sea` gives them. */
export const SEA_NAMES = ['divest-linux-x64', 'divest-win-x64.exe', 'divest-macos-x64', 'divest-macos-arm64'];

function writeFiles(out: string, files: readonly GeneratedFile[]): string[] {
  return files.map((f) => {
    const dest = path.join(out, ...f.path.split('/'));
    ensureDir(path.dirname(dest));
    writeFileSync(dest, f.content);
    chmodSync(dest, f.mode);
    return dest;
  });
}

/** The collection's files: the SEA's embedded copy, else `fleet/ansible/` of this checkout. */
async function collectionFiles(explicit: string | undefined): Promise<GeneratedFile[]> {
  const fromDir = (root: string): GeneratedFile[] => {
    const out: GeneratedFile[] = [];
    const walk = (rel: string): void => {
      for (const name of readdirSync(path.join(root, rel))) {
        const r = rel ? `${rel}/${name}` : name;
        const st = statSync(path.join(root, r));
        if (st.isDirectory()) walk(r);
        else out.push({ path: r, content: readFileSync(path.join(root, r), 'utf8'), mode: st.mode & 0o777 });
      }
    };
    walk('');
    return out;
  };
  if (explicit) return fromDir(explicit);
  const sea = seaApi();
  if (sea) {
    const asset = JSON.parse(sea.getAsset('ansible-collection.json', 'utf8')) as { files: GeneratedFile[] };
    return asset.files;
  }
  const checkout = path.resolve(__dirname, '..', '..', 'fleet', 'ansible');
  if (existsSync(checkout)) return fromDir(checkout);
  throw new DivestError(
    'not-found',
    `the Ansible collection is not beside this divest (looked in ${checkout}); pass --collection DIR (fleet/ansible of the Divest sources)`,
  );
}

/** Copies the built executables into the role's files/ folder; returns their names. */
function copyBinaries(from: string, filesDir: string): string[] {
  const names = SEA_NAMES.filter((n) => existsSync(path.join(from, n)));
  ensureDir(filesDir);
  for (const n of names) {
    copyFileSync(path.join(from, n), path.join(filesDir, n));
    chmodSync(path.join(filesDir, n), 0o755);
  }
  return names;
}

/** Runs `divest fleet ...`. */
export async function runFleet(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    out.write(HELP);
    return sub === undefined ? 2 : 0;
  }
  if (!(SUBCOMMANDS as readonly string[]).includes(sub))
    throw new UsageError(`fleet: unknown engine "${sub}" (${SUBCOMMANDS.join(', ')})`);
  const { options, help } = parseCommand(
    `fleet ${sub}`,
    rest,
    {
      out: { type: 'string' },
      catalog: { type: 'string' },
      'unsigned-catalog': { type: 'boolean' },
      'data-dir': { type: 'string' },
      binaries: { type: 'string' },
      collection: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    z.object({
      out: z.string({ error: `fleet ${sub} needs --out DIR` }).min(1, `fleet ${sub} needs --out DIR`),
      catalog: z.string().min(1).optional(),
      'unsigned-catalog': z.boolean().default(false),
      'data-dir': z.string().min(1).optional(),
      binaries: z.string().min(1).optional(),
      collection: z.string().min(1).optional(),
    }),
    { min: 0, max: 0, names: '' },
  );
  if (help) {
    out.write(HELP);
    return 0;
  }
  const catalog = loadCatalog(options);
  const p = provenanceOf(catalog, VERSION);
  const dir = path.resolve(options.out);
  const which = sub as Sub;
  let written: string[];
  let extra = '';
  if (which === 'ansible') {
    const root = path.join(dir, 'ansible_collections', 'divest', 'endpoint');
    written = writeFiles(root, await collectionFiles(options.collection));
    const from = options.binaries ?? defaultBinaries();
    const copied = from ? copyBinaries(from, path.join(root, 'roles', 'divest', 'files')) : [];
    extra = copied.length
      ? `Executables copied into roles/divest/files: ${copied.join(', ')}.\n`
      : `No executables were found${from ? ` in ${from}` : ''}: build them with "npm run build:sea" and pass --binaries out/sea.\n`;
  } else {
    const files =
      which === 'osquery'
        ? osqueryPackFiles(catalog, p)
        : which === 'fleet-gitops'
          ? fleetGitopsFiles(catalog, p)
          : which === 'intune'
            ? intuneFiles(p)
            : configMgrFiles(p);
    written = writeFiles(dir, files);
  }
  out.write(
    `Wrote ${written.length} files for ${which} into ${dir} (catalog ${p.catalogVersion}, sha256 ${p.catalogSha256}):\n${written.map((w) => `  ${path.relative(dir, w)}`).join('\n')}\n${extra}`,
  );
  return 0;
}

/** Where the executables usually are: beside a SEA, or out/sea of this checkout. */
function defaultBinaries(): string | undefined {
  const beside = path.dirname(process.execPath);
  if (SEA_NAMES.some((n) => existsSync(path.join(beside, n)))) return beside;
  const checkout = path.resolve(__dirname, '..', 'sea');
  return existsSync(checkout) ? checkout : undefined;
}
