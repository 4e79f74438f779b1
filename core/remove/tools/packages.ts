/**
 * What dpkg and rpm steps share: which of a finding's packages may be put on a command line.
 *
 * A package is removed only when all of this holds:
 * - its name obeys the package manager's rules (an option-like `--noscripts` never reaches argv);
 * - the operating system does not need it: dpkg's `Essential: yes`, `Priority: required` or
 *   `important`, or a fixed list of core packages (glibc, bash, systemd, rpm, kernel*...) refuse
 *   the whole step, whatever the catalog says;
 * - it is the vendor's by more than one field anyone can write: the catalog names it for this
 *   product, or it owns files in the vendor's own folders (/opt/kaspersky...). A package attributed
 *   only by its Maintainer (an `openssh-server` with a Kaspersky maintainer) gets a guided manual
 *   step instead, so that someone checks it.
 */
import path from 'node:path';
import type { Product } from '../../model/catalog';
import type { Finding } from '../../model/scan';
import type { Refusal } from './tool';
import { posixInside, vendorLocations } from './vendor-locations';

export type Manager = 'dpkg' | 'rpm';
type PackageHint = Finding['removalHints']['packages'][number];

const NAME_RULE: Record<Manager, RegExp> = {
  dpkg: /^[a-z0-9][a-z0-9+.-]+$/,
  rpm: /^[A-Za-z_0-9+][A-Za-z0-9_+.-]*$/,
};

/** Packages no removal may take, by name (also when their database record says otherwise). */
const CORE: Record<Manager, { names: ReadonlySet<string>; prefixes: readonly string[] }> = {
  dpkg: {
    names: new Set(
      (
        'apt base-files base-passwd bash coreutils dash debianutils diffutils dpkg findutils grep gzip ' +
        'hostname init init-system-helpers libc-bin libc6 libpam-modules libpam-runtime login mount ' +
        'ncurses-base ncurses-bin passwd perl-base sed sudo systemd systemd-sysv sysvinit-utils tar udev ' +
        'util-linux'
      ).split(' '),
    ),
    prefixes: ['linux-image-', 'linux-modules-'],
  },
  rpm: {
    names: new Set(
      (
        'basesystem bash coreutils coreutils-common coreutils-single dnf filesystem glibc glibc-common ' +
        'glibc-minimal-langpack libgcc microdnf ncurses-base pam rpm rpm-libs sed setup shadow-utils sudo ' +
        'systemd systemd-libs systemd-udev util-linux util-linux-core yum zypper'
      ).split(' '),
    ),
    prefixes: ['kernel', 'glibc-langpack-'],
  },
};

/** Why the system needs this package, or undefined when it does not. */
function neededBySystem(manager: Manager, p: PackageHint): string | undefined {
  if (p.essential) return 'dpkg marks it Essential: yes';
  if (p.priority) return `its dpkg Priority is ${p.priority}`;
  const core = CORE[manager];
  if (core.names.has(p.name) || core.prefixes.some((x) => p.name.startsWith(x)))
    return `it is one of the core packages of a ${manager === 'dpkg' ? 'Debian' : 'RPM'}-based system`;
  return undefined;
}

/** The package database of a package evidence location (`dpkg:/var/lib/dpkg/status#x`, `rpm:/var/lib/rpm#x`). */
export function databaseOf(finding: Finding, manager: Manager): string | undefined {
  const e = finding.evidence.find((x) => x.kind === 'package' && x.location.startsWith(`${manager}:`));
  const m = e ? /^(?:dpkg|rpm):([^#]+)#/.exec(e.location) : null;
  if (!m?.[1]) return undefined;
  return manager === 'dpkg' ? path.posix.dirname(m[1]) : m[1];
}

/** How to look at a package by hand, with the step's root. */
function inspectCommands(manager: Manager, name: string, hostRoot: string | undefined): string {
  if (manager === 'dpkg') {
    const r = hostRoot ? ` --root=${hostRoot}` : '';
    return `"dpkg-query${r} -s ${name}" shows its maintainer and description, "dpkg-query${r} -L ${name}" the files it owns`;
  }
  const r = hostRoot ? ` --root ${hostRoot}` : '';
  return `"rpm${r} -qi ${name}" shows its vendor and description, "rpm${r} -ql ${name}" the files it owns`;
}

export interface PickedPackages {
  /** Names to remove, in the scan's (catalog) order. */
  names: string[];
  /** Guided manual steps for packages that are not clearly the vendor's. */
  refusals: Refusal[];
}

/** The packages of `finding` a `manager` step may remove, or why none may. */
export function pickPackages(
  finding: Finding,
  product: Product,
  manager: Manager,
  hostRoot: string | undefined,
): PickedPackages | Refusal {
  const hints = finding.removalHints.packages.filter((p) => p.manager === manager);
  const bad = hints.find((p) => !NAME_RULE[manager].test(p.name));
  if (bad) return { skip: `the package name ${JSON.stringify(bad.name)} is not a valid ${manager} name` };
  for (const p of hints) {
    const why = neededBySystem(manager, p);
    if (why)
      return {
        skip: `${p.name} is a package the operating system needs (${why}); Divest never removes it, whatever the catalog says`,
        byHand: [
          `Check the catalog's entry for ${product.name}: it attributes ${p.name} to the product. Remove the product's own packages by hand, never ${p.name}.`,
        ],
      };
  }
  const named = new Set((product.signatures.linux?.packages ?? []).map((x) => x.name));
  const roots = vendorLocations(product.vendor).linux;
  const owned = (p: PackageHint): boolean =>
    (p.addOnPaths ?? []).some((f) => roots.some((r) => posixInside(f, r)));
  const names: string[] = [];
  const refusals: Refusal[] = [];
  for (const p of hints) {
    if (named.has(p.name) || owned(p)) {
      names.push(p.name);
      continue;
    }
    refusals.push({
      skip: `the package ${p.name} is attributed to ${finding.vendor} only by its ${manager === 'dpkg' ? 'Maintainer' : 'Vendor'} field, which whoever builds a package writes; the catalog does not name it for this product and it owns no files in ${roots.length ? roots.join(', ') : "the vendor's folders"}`,
      byHand: [
        `Check whose ${p.name} really is: ${inspectCommands(manager, p.name, hostRoot)}. Remove it by hand only if it is ${finding.vendor}'s.`,
      ],
    });
  }
  return { names, refusals };
}
