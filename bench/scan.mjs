// Scan benchmark: how long `divest scan` takes on a dpkg root of 5,000 packages, next to the
// cheapest thing that could possibly answer the same question (starting Node, then one
// `dpkg-query -W` over the same database). Prints figures; asserts nothing; exits 0.
//
//   npm run bench                      (builds the CLI, then runs this)
//   node bench/scan.mjs --runs 15      (more runs; default 9, or BENCH_RUNS)
//   node bench/scan.mjs --rebuild      (rebuild the cached bed)
//   node bench/scan.mjs --catalog FILE (scan with this catalog instead of the built-in one)
//
// The bed is built once and cached under .cache/bench/<BED_VERSION>/ (bump BED_VERSION when the
// recipe changes). Building 5,000 real .debs would take minutes, so the bed is, honestly:
//   - 3 Kaspersky packages (kesl, kesl-gui, klnagent64) and 50 small ordinary packages, built with
//     dpkg-deb and installed by the real dpkg into the root;
//   - 4,947 synthetic package entries appended to var/lib/dpkg/status, each with its .list file in
//     var/lib/dpkg/info (no md5sums, no maintainer scripts), which dpkg-query reads like any other.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
  appendFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BED_VERSION = 'dpkg-5000-v1';
const TOTAL = 5000;
const REAL_SMALL = 50;

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(repo, 'out/cli/divest.cjs');
const bedDir = path.join(repo, '.cache/bench', BED_VERSION);
const root = path.join(bedDir, 'root');
const admin = path.join(root, 'var/lib/dpkg');
const marker = path.join(bedDir, '.complete');

const argv = process.argv.slice(2);
const runsArg = argv.indexOf('--runs');
const RUNS = Math.max(1, Number(runsArg >= 0 ? argv[runsArg + 1] : (process.env.BENCH_RUNS ?? 9)) || 9);
const REBUILD = argv.includes('--rebuild');
const catalogArg = argv.indexOf('--catalog');
const CATALOG = catalogArg >= 0 ? argv[catalogArg + 1] : undefined;

/** Runs argv without a shell; throws with its output unless it exits 0. */
function mustRun(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}\n${r.stderr}`);
  return r.stdout;
}

/** Small deterministic PRNG (mulberry32), so every machine builds the same bed. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STEMS = (
  'acl apr atk attr audit avahi bison blkid boost brotli bzip2 cairo cap-ng colord cups curl db5.3 dbus ' +
  'dconf drm edit elf enchant epoxy evdev expat fdisk ffi flac fontconfig freetype fribidi gcrypt gdbm ' +
  'gdk-pixbuf glib gmp gnutls gpg-error graphite2 gssapi gstreamer gtk3 harfbuzz hogweed hunspell icu idn2 ' +
  'jansson jbig jpeg json-c kmod krb5 lcms2 ldap lz4 lzma lzo magic mount mpfr ncurses nettle nghttp2 nspr ' +
  'nss numa ogg opus orc p11-kit pam pango pcre2 pixman png polkit popt psl pulse readline rtmp sasl2 ' +
  'seccomp selinux sepol sndfile soup sqlite3 ssh2 ssl stemmer systemd tasn1 tdb tiff tinfo uchardet ' +
  'udev unistring usb uuid vorbis vpx wayland webp x11 xau xcb xcursor xdmcp xext xfixes xi xkbcommon ' +
  'xml2 xrandr xrender xslt xss xtst yaml zstd requests urllib3 six idna chardet certifi jinja2 markupsafe ' +
  'pygments docutils babel pytz dateutil numpy scipy lodash debug ms semver chalk yargs commander'
).split(' ');
const PREFIXES = [
  'lib',
  'lib',
  'lib',
  'python3-',
  'node-',
  'golang-',
  'ruby-',
  'r-cran-',
  'fonts-',
  'gir1.2-',
  '',
];
const SUFFIXES = ['', '', '', '-dev', '-doc', '-common', '-data', '-bin', '-utils', '1', '2', '6', '-1.0-0'];
const SECTIONS = [
  'libs',
  'libdevel',
  'python',
  'javascript',
  'golang',
  'ruby',
  'gnu-r',
  'fonts',
  'doc',
  'utils',
  'admin',
  'net',
];
const TEAMS = [
  'Debian GNOME Maintainers <pkg-gnome-maintainers@lists.alioth.debian.org>',
  'Debian Python Team <team+python@tracker.debian.org>',
  'Debian Javascript Maintainers <pkg-javascript-devel@lists.alioth.debian.org>',
  'Debian Go Packaging Team <team+pkg-go@tracker.debian.org>',
  'Debian Ruby Team <pkg-ruby-extras-maintainers@lists.alioth.debian.org>',
  'Debian R Packages Maintainers <r-pkg-team@alioth-lists.debian.net>',
  'Debian Fonts Task Force <debian-fonts@lists.debian.org>',
  'Debian X Strike Force <debian-x@lists.debian.org>',
];

/** `count` distinct, realistic-looking package names, none of them Kaspersky-like. */
function packageNames(count, seed, taken) {
  const rand = prng(seed);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const names = [];
  for (let i = 0; names.length < count; i++) {
    let name = `${pick(PREFIXES)}${pick(STEMS)}${pick(SUFFIXES)}`.replace(/_/g, '-');
    if (taken.has(name)) name = `${name}-${i % 97}`;
    if (taken.has(name) || !/^[a-z0-9][a-z0-9+.-]+$/.test(name) || /^(kl|kas|kes)/.test(name)) continue;
    taken.add(name);
    names.push(name);
  }
  return names;
}

function synthEntry(name, rand, arch) {
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const multiArch = name.startsWith('lib') && rand() < 0.6;
  const version = `${1 + Math.floor(rand() * 9)}.${Math.floor(rand() * 30)}.${Math.floor(rand() * 10)}-${1 + Math.floor(rand() * 5)}`;
  const paragraph = [
    `Package: ${name}`,
    'Status: install ok installed',
    'Priority: optional',
    `Section: ${pick(SECTIONS)}`,
    `Installed-Size: ${10 + Math.floor(rand() * 5000)}`,
    `Maintainer: ${pick(TEAMS)}`,
    `Architecture: ${multiArch ? arch : rand() < 0.3 ? 'all' : arch}`,
    ...(multiArch ? ['Multi-Arch: same'] : []),
    `Source: ${name.replace(/-(dev|doc|common|data|bin|utils)$/, '')}`,
    `Version: ${version}`,
    'Depends: libc6 (>= 2.34)',
    `Description: ${name} (synthetic benchmark entry)`,
    ' Generated by bench/scan.mjs to make a package database of realistic size.',
    ' .',
    ' It owns a handful of files listed in its .list file.',
  ].join('\n');
  const files = ['/.', '/usr', '/usr/share', '/usr/share/doc', `/usr/share/doc/${name}`];
  files.push(`/usr/share/doc/${name}/copyright`, `/usr/share/doc/${name}/changelog.Debian.gz`);
  const extra = 3 + Math.floor(rand() * 70);
  const dir = name.startsWith('lib') ? `/usr/lib/x86_64-linux-gnu/${name}` : `/usr/share/${name}`;
  files.push(path.posix.dirname(dir), dir);
  for (let i = 0; i < extra; i++)
    files.push(`${dir}/file-${i}.${pick(['so', 'py', 'js', 'rb', 'dat', 'xml'])}`);
  return { paragraph, listName: multiArch ? `${name}:${arch}` : name, list: files };
}

function writeDebTree(tree, control, files) {
  for (const [p, content] of Object.entries(files)) {
    const dest = path.join(tree, p);
    mkdirSync(path.dirname(dest), { recursive: true });
    writeFileSync(dest, content);
    chmodSync(dest, /\/s?bin\//.test(p) ? 0o755 : 0o644);
  }
  mkdirSync(path.join(tree, 'DEBIAN'), { recursive: true });
  writeFileSync(path.join(tree, 'DEBIAN/control'), `${control}\n`);
}

/** Builds the 53 real .debs into `out` and returns their paths. */
function buildRealDebs(out, arch, names) {
  const maint = 'Kaspersky Lab <support@kaspersky.com>'; // unconfirmed, as in test/beds/linux.ts
  const unit = (d, exec) =>
    `[Unit]\nDescription=${d}\n\n[Service]\nExecStart=${exec}\n\n[Install]\nWantedBy=multi-user.target\n`;
  const specs = [
    {
      name: 'kesl',
      version: '12.1.0-1234',
      maint,
      desc: 'Kaspersky Endpoint Security for Linux',
      files: {
        '/opt/kaspersky/kesl/bin/kesl-control': '#!/bin/sh\n',
        '/opt/kaspersky/kesl/libexec/kesl': '#!/bin/sh\n',
        '/lib/systemd/system/kesl.service': unit(
          'Kaspersky Endpoint Security for Linux',
          '/opt/kaspersky/kesl/libexec/kesl',
        ),
      },
    },
    {
      name: 'kesl-gui',
      version: '12.1.0-1234',
      maint,
      desc: 'Kaspersky Endpoint Security for Linux graphical user interface',
      depends: 'kesl (= 12.1.0-1234)',
      files: { '/opt/kaspersky/kesl/bin/kesl-gui': '#!/bin/sh\n' },
    },
    {
      name: 'klnagent64',
      version: '14.2.0-8829',
      maint,
      desc: 'Kaspersky Security Center Network Agent',
      files: {
        '/opt/kaspersky/klnagent64/bin/klnagchk': '#!/bin/sh\n',
        '/opt/kaspersky/klnagent64/bin/klmover': '#!/bin/sh\n',
        '/lib/systemd/system/klnagent64.service': unit(
          'Kaspersky Network Agent',
          '/opt/kaspersky/klnagent64/sbin/klnagent',
        ),
      },
    },
    ...names.map((name, i) => ({
      name,
      version: `1.${i}.0-1`,
      maint: TEAMS[i % TEAMS.length],
      desc: `${name} (small benchmark package)`,
      files: {
        [`/usr/bin/${name}`]: '#!/bin/sh\n',
        [`/usr/share/doc/${name}/copyright`]: 'Public domain.\n',
      },
    })),
  ];
  const debs = [];
  for (const s of specs) {
    const tree = mkdtempSync(path.join(tmpdir(), 'divest-bench-deb-'));
    try {
      const control = [
        `Package: ${s.name}`,
        `Version: ${s.version}`,
        `Architecture: ${arch}`,
        `Maintainer: ${s.maint}`,
        ...(s.depends ? [`Depends: ${s.depends}`] : []),
        `Description: ${s.desc}`,
        ' Benchmark package.',
      ].join('\n');
      writeDebTree(tree, control, s.files);
      const out1 = path.join(out, `${s.name}_${s.version}_${arch}.deb`);
      mustRun('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', tree, out1]);
      debs.push(out1);
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }
  }
  return debs;
}

function buildBed() {
  const started = Date.now();
  rmSync(bedDir, { recursive: true, force: true });
  for (const d of ['info', 'updates', 'triggers']) mkdirSync(path.join(admin, d), { recursive: true });
  writeFileSync(path.join(admin, 'status'), '');
  writeFileSync(path.join(admin, 'available'), '');
  mkdirSync(path.join(root, 'var/log'), { recursive: true });
  const arch = mustRun('dpkg', ['--print-architecture']).trim();

  const taken = new Set(['kesl', 'kesl-gui', 'klnagent64']);
  const realNames = packageNames(REAL_SMALL, 1, taken);
  const synthNames = packageNames(TOTAL - 3 - REAL_SMALL, 2, taken);

  const debDir = mkdtempSync(path.join(tmpdir(), 'divest-bench-debs-'));
  try {
    const debs = buildRealDebs(debDir, arch, realNames);
    mustRun('dpkg', [
      `--root=${root}`,
      `--log=${path.join(root, 'var/log/dpkg.log')}`,
      '--force-script-chrootless',
      '--force-not-root',
      '--force-unsafe-io',
      '-i',
      ...debs,
    ]);
  } finally {
    rmSync(debDir, { recursive: true, force: true });
  }

  const rand = prng(3);
  const paragraphs = [];
  for (const name of synthNames) {
    const e = synthEntry(name, rand, arch);
    paragraphs.push(e.paragraph);
    writeFileSync(path.join(admin, 'info', `${e.listName}.list`), `${e.list.join('\n')}\n`);
  }
  // dpkg's status file is paragraphs separated by one blank line, ending with a newline.
  const existing = readFileSync(path.join(admin, 'status'), 'utf8');
  const sep = existing === '' || existing.endsWith('\n\n') ? '' : existing.endsWith('\n') ? '\n' : '\n\n';
  appendFileSync(path.join(admin, 'status'), `${sep}${paragraphs.join('\n\n')}\n`);
  writeFileSync(marker, `${new Date().toISOString()}\n`);
  return Date.now() - started;
}

function time(cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, r };
}

function stats(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1] };
}

const fmt = (ms) => `${ms.toFixed(1)} ms`;
const line = (label, st) =>
  `${label.padEnd(44)} median ${fmt(st.median).padStart(10)}   min ${fmt(st.min).padStart(10)}   max ${fmt(st.max).padStart(10)}`;

function main() {
  console.log('Divest scan benchmark');
  console.log(`node ${process.version}, ${process.platform}/${process.arch}, runs: ${RUNS}`);
  for (const tool of ['dpkg', 'dpkg-deb', 'dpkg-query']) {
    if (spawnSync(tool, ['--version'], { stdio: 'ignore' }).error) {
      console.log(
        `${tool} is not installed: cannot build the dpkg bed (apt-get install -y dpkg-dev). Nothing measured.`,
      );
      return;
    }
  }
  if (!existsSync(cli)) {
    console.log(
      `${path.relative(repo, cli)} is missing: run \`npm run bench\` (it builds first). Nothing measured.`,
    );
    return;
  }

  if (REBUILD || !existsSync(marker)) {
    console.log(`Building the bed in ${path.relative(repo, bedDir)} ...`);
    const ms = buildBed();
    console.log(`  built in ${(ms / 1000).toFixed(1)} s`);
  } else {
    console.log(
      `Using the cached bed in ${path.relative(repo, bedDir)} (built ${readFileSync(marker, 'utf8').trim()}; --rebuild to redo)`,
    );
  }
  const count = mustRun('dpkg-query', [`--admindir=${admin}`, '-W', '-f=${Package}\n'])
    .split('\n')
    .filter(Boolean).length;
  console.log(
    `Bed: ${count} packages in ${path.relative(repo, admin)}/status — 3 Kaspersky (kesl, kesl-gui, klnagent64) and ` +
      `${REAL_SMALL} small ordinary .debs installed by dpkg, plus ${TOTAL - 3 - REAL_SMALL} synthetic status entries ` +
      'appended, each with a .list file in var/lib/dpkg/info (no md5sums, no scripts).',
  );

  const dataDir = mkdtempSync(path.join(tmpdir(), 'divest-bench-data-'));
  try {
    const scanArgs = [
      cli,
      'scan',
      '--json',
      '--host-root',
      root,
      '--host-os',
      'linux',
      '--data-dir',
      dataDir,
    ];
    if (CATALOG) scanArgs.push('--catalog', path.resolve(CATALOG));
    const baseline = () => {
      const a = time(process.execPath, ['-e', '0']);
      const b = time('dpkg-query', [`--admindir=${admin}`, '-W']);
      return a.ms + b.ms;
    };

    // Warm-up (file cache, first-run key generation in the data dir): not counted.
    const warm = time(process.execPath, scanArgs);
    baseline();
    if (warm.r.status !== 0 && warm.r.status !== 10) {
      console.log(`\nThe CLI scan failed (exit ${warm.r.status}); nothing measured.`);
      console.log(`stderr: ${(warm.r.stderr || '').trim().split('\n').slice(0, 10).join('\n        ')}`);
      console.log(`stdout: ${(warm.r.stdout || '').trim().slice(0, 500)}`);
      return;
    }

    const scanMs = [];
    const internalMs = [];
    const baseMs = [];
    let last;
    for (let i = 0; i < RUNS; i++) {
      // Alternate so that drift on the machine hits both sides alike.
      const s = time(process.execPath, scanArgs);
      scanMs.push(s.ms);
      last = s.r;
      try {
        internalMs.push(JSON.parse(s.r.stdout).durationMs);
      } catch {
        /* reported below */
      }
      baseMs.push(baseline());
    }

    const scan = stats(scanMs);
    const base = stats(baseMs);
    console.log('');
    console.log(line('divest scan --json (whole process)', scan));
    if (internalMs.length === RUNS)
      console.log(line('  of which the scan itself (durationMs)', stats(internalMs)));
    console.log(line('baseline: node -e 0 + dpkg-query -W', base));
    console.log(
      `ratio (median scan / median baseline): ${(scan.median / base.median).toFixed(2)}   (aim: <= 1.5)`,
    );

    let result;
    try {
      result = JSON.parse(last.stdout);
    } catch {
      console.log(`The scan did not print JSON (exit ${last.status}).`);
      return;
    }
    const findings = Array.isArray(result.findings) ? result.findings : [];
    console.log('');
    console.log(`exit code: ${last.status} (10 = banned software found)`);
    console.log(
      `findings: ${findings.length} (expected 2: kesl + kesl-gui are one product, klnagent64 another) — ` +
        findings.map((f) => `${f.productId} ${f.version ?? ''}`.trim()).join(', '),
    );
    console.log(`Linux scan spawns: ${typeof result.spawns === 'number' ? result.spawns : 'not reported'}`);
    console.log('Windows spawn count: node bench/windows-spawns.mjs (builds a small Wine bed and prints it)');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main();
