// electron-builder `afterSign` hook of the RELEASE configuration (electron-builder.yml; the
// development configuration sets afterSign: null).
//
// macOS: electron-builder only warns when it finds no notarisation credentials and then ships an
// app Gatekeeper refuses, so a release checks that the app it just signed is notarised and its
// ticket stapled (`xcrun stapler validate`), and that its signature holds (`codesign --verify`).
// Elsewhere nothing: Windows signing failures already stop the build (forceCodeSigning).
import { spawnSync } from 'node:child_process';
import path from 'node:path';

/** The checks for a signed macOS app, as argv lists. */
export function macChecks(appPath) {
  return [
    ['codesign', '--verify', '--deep', '--strict', '--verbose=2', appPath],
    ['xcrun', 'stapler', 'validate', appPath],
  ];
}

export default async function afterSign(context) {
  if (context.electronPlatformName !== 'darwin') return;
  const app = path.join(context.appOutDir, `${context.packager.appInfo.productFilename}.app`);
  for (const [cmd, ...args] of macChecks(app)) {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    if (r.status !== 0)
      throw new Error(
        `The release app is not signed and notarised (${cmd} ${args.join(' ')} failed: ${(r.stderr || r.stdout || String(r.error)).trim()}). Set the Developer ID certificate (CSC_LINK, CSC_KEY_PASSWORD) and the notarisation credentials (APPLE_API_KEY, APPLE_API_KEY_ID, APPLE_API_ISSUER), or build for development with DIVEST_UNSIGNED=1.`,
      );
  }
}
