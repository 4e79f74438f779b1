// electron-builder `beforePack` hook (electron-builder.yml): stages the self-contained CLI for the
// platform and architecture being packed, from what `npm run build:sea` wrote to out/sea/, as
// out/sea-stage/<os>-<arch>/bin/divest (divest.exe on Windows), which `extraResources` copies into
// resources/bin. Fails with the command to run when the CLI was not built: electron-builder
// itself only warns about a missing extraResources source and would ship an app whose removal
// cannot work.
import { chmodSync, copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';

/** electron-builder's Arch enum (builder-util): the numbers a hook's context.arch carries. */
export const ARCH = { 0: 'ia32', 1: 'x64', 2: 'armv7l', 3: 'arm64', 4: 'universal' };
/** electron-builder's ${os} macro for a Node platform name. */
const OS = { linux: 'linux', win32: 'win', darwin: 'mac' };

/** The SEA file name `npm run build:sea` writes (main/helper-program.ts seaFileName). */
export function seaFileName(platform, arch) {
  const os = platform === 'win32' ? 'win' : platform === 'darwin' ? 'macos' : 'linux';
  return `divest-${os}-${arch}${platform === 'win32' ? '.exe' : ''}`;
}

/** Copies the CLI into the stage; returns the staged file. Throws a clear message when missing. */
export function stageCli(projectDir, platform, arch) {
  if (!OS[platform]) throw new Error(`Divest packages no CLI for platform "${platform}"`);
  if (arch === 'universal')
    throw new Error(
      'Divest does not build universal macOS apps: build x64 and arm64 separately (each ships its own CLI).',
    );
  const source = path.join(projectDir, 'out', 'sea', seaFileName(platform, arch));
  if (!existsSync(source))
    throw new Error(
      `The self-contained CLI for ${platform}-${arch} is missing (${source}). The app ships it as its removal helper and as the divest command: run "npm run build:sea" on ${platform} ${arch} first.`,
    );
  const dir = path.join(projectDir, 'out', 'sea-stage', `${OS[platform]}-${arch}`, 'bin');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const target = path.join(dir, platform === 'win32' ? 'divest.exe' : 'divest');
  copyFileSync(source, target);
  chmodSync(target, 0o755);
  return target;
}

export default async function beforePack(context) {
  stageCli(
    context.packager.projectDir,
    context.electronPlatformName,
    ARCH[context.arch] ?? String(context.arch),
  );
}
