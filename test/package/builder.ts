/**
 * electron-builder's own packager, set up as far as it goes without Electron's zip and without
 * the network: the configuration loaded and validated against its schema (`validateConfig`), the
 * app's metadata with `extraMetadata` merged, the Electron framework (version from the installed
 * electron package), the hooks resolved (`addPackagerEventHandlers`), and the platform packagers. Tests then call the same methods a build calls (signing, the Linux
 * scripts, the MSI project, the file matchers) on that real object.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/* eslint-disable @typescript-eslint/no-explicit-any -- electron-builder's internals, untyped here */
type Any = any;

const lib = require('app-builder-lib') as Any;
const { AppInfo } = require('app-builder-lib/out/appInfo') as Any;
const { createElectronFrameworkSupport } = require('app-builder-lib/out/electron/ElectronFramework') as Any;
const { log } = require('builder-util') as Any;

export const Platform = lib.Platform as { WINDOWS: Any; MAC: Any; LINUX: Any };
export const Arch = lib.Arch as Record<string, number>;

/** Keeps electron-builder's progress lines out of the test output. */
export function quiet(): void {
  log.info = () => undefined;
  log.warn = () => undefined;
}

/** A validated packager for `configFile`; `platform` picks the targets (no build is started). */
export async function packagerFor(
  configFile: string,
  platform: Any = Platform.LINUX,
  projectDir = REPO,
): Promise<Any> {
  quiet();
  const p = new lib.Packager({ targets: platform.createTarget('dir'), config: configFile, projectDir });
  await p.validateConfig();
  p._appInfo = new AppInfo(p, null);
  // As build() does: Electron's version from the installed electron package (no download).
  p._framework = await createElectronFrameworkSupport(p.config, p);
  await p.addPackagerEventHandlers();
  return p;
}

/** A platform packager whose icon is not converted (that step may fetch a tool from the network). */
export async function platformPackager(p: Any, platform: Any): Promise<Any> {
  const pp = await p.createHelper(platform);
  pp.getIconPath = async () => null;
  Object.defineProperty(pp, 'iconPath', { value: Promise.resolve(null) });
  return pp;
}

export const appBuilder = {
  FpmTarget: (require('app-builder-lib/out/targets/FpmTarget') as Any).default,
  LinuxTargetHelper: (require('app-builder-lib/out/targets/LinuxTargetHelper') as Any).LinuxTargetHelper,
  MsiTarget: (require('app-builder-lib/out/targets/MsiTarget') as Any).default,
  getEffectiveOptions: (require('app-builder-lib/out/options/CommonWindowsInstallerConfiguration') as Any)
    .getEffectiveOptions,
  fileMatcher: require('app-builder-lib/out/fileMatcher') as Any,
};
/* eslint-enable @typescript-eslint/no-explicit-any */
