/**
 * Words for people, one per kind of evidence: what the findings screen and reports call each kind.
 * Plain data (no I/O), so the renderer can import it through the contract (`core/api.ts`).
 */
import type { EvidenceKind } from './scan';

export interface EvidenceKindLabel {
  /** What a person is shown for this kind of evidence, e.g. "Kernel driver". */
  readonly label: string;
}

/** Every evidence kind with its label; a kind missing here does not compile. */
export const EVIDENCE_KINDS: Readonly<Record<EvidenceKind, EvidenceKindLabel>> = {
  'registry-uninstall': { label: 'Registered program (Uninstall key)' },
  'vendor-key': { label: 'Vendor registry key' },
  package: { label: 'Installed package' },
  service: { label: 'Service' },
  driver: { label: 'Kernel driver' },
  file: { label: 'File or folder' },
  'app-bundle': { label: 'Application bundle' },
  'pkg-receipt': { label: 'Installer receipt' },
  launchd: { label: 'launchd job' },
  'system-extension': { label: 'System extension' },
  process: { label: 'Running process' },
  'security-center': { label: 'Windows Security Center registration' },
};
