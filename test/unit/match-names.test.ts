/**
 * The scanner on real product names and publishers (research products.md §1-§2 and the winget,
 * GLPI and SWMB dumps it cites), and on look-alikes it must leave alone.
 */
import { describe, expect, it } from 'vitest';
import { loadBuiltInCatalog } from '../../core/catalog/load';
import type { InventoryItem } from '../../core/host/inventory';
import { compileCatalog, matchInventory } from '../../core/scan/match';

const matcher = compileCatalog(loadBuiltInCatalog().catalog);

function classify(displayName: string, publisher: string | undefined): string[] {
  const item: InventoryItem = {
    kind: 'registry-uninstall',
    location: `HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{00000000-0000-0000-0000-000000000000}`,
    hive: 'HKLM',
    view: '32',
    keyName: '{00000000-0000-0000-0000-000000000000}',
    displayName,
    publisher,
    displayVersion: '1.0',
    windowsInstaller: true,
  };
  return matchInventory(matcher, 'windows', [item], []).map((f) => `${f.productId}:${f.status}`);
}

describe('real Windows product names classify to their catalog product', () => {
  const cases: [string, string | undefined, string][] = [
    ['Kaspersky Endpoint Security for Windows', 'AO Kaspersky Lab', 'kaspersky-endpoint-security-windows'],
    ['Kaspersky Endpoint Security 10 for Windows', 'Kaspersky Lab', 'kaspersky-endpoint-security-windows'],
    ['Kaspersky Endpoint Security 12 for Windows', 'AO Kaspersky Lab', 'kaspersky-endpoint-security-windows'],
    ['Kaspersky Security Center Network Agent', 'Kaspersky', 'kaspersky-network-agent'],
    ['Kaspersky Security Center 14 Network Agent', 'Kaspersky', 'kaspersky-network-agent'],
    ["Agent d'administration de Kaspersky Security Center", 'Kaspersky', 'kaspersky-network-agent'],
    [
      'Kaspersky Security Center Administration Server',
      'AO Kaspersky Lab',
      'kaspersky-administration-server',
    ],
    ['Kaspersky Total Security', 'Kaspersky', 'kaspersky-total-security'],
    ['Kaspersky Total Security 2015', 'Kaspersky Lab', 'kaspersky-total-security'],
    ['Kaspersky Internet Security', 'Kaspersky', 'kaspersky-internet-security'],
    ['Kaspersky Anti-Virus', 'Kaspersky', 'kaspersky-anti-virus'],
    ['Kaspersky Free', 'Kaspersky', 'kaspersky-free'],
    ['Kaspersky Security Cloud', 'Kaspersky', 'kaspersky-security-cloud'],
    ['Kaspersky', 'Kaspersky', 'kaspersky-standard-plus-premium'],
    ['Kaspersky Plus', 'Kaspersky', 'kaspersky-standard-plus-premium'],
    ['Kaspersky Small Office Security', 'Kaspersky', 'kaspersky-small-office-security'],
    ['Kaspersky VPN', 'Kaspersky', 'kaspersky-vpn-secure-connection'],
    ['Kaspersky Password Manager', 'Kaspersky', 'kaspersky-password-manager'],
    ['Kaspersky Safe Kids', 'Kaspersky', 'kaspersky-safe-kids'],
    ['Kaspersky Security for Windows Server', 'AO Kaspersky Lab', 'kaspersky-security-windows-server'],
    [
      'Kaspersky Anti-Virus for Windows Servers Enterprise Edition',
      'Kaspersky Lab',
      'kaspersky-security-windows-server',
    ],
    ['Kaspersky Embedded Systems Security', 'AO Kaspersky Lab', 'kaspersky-embedded-systems-security'],
    ['Kaspersky Endpoint Agent', 'AO Kaspersky Lab', 'kaspersky-endpoint-agent'],
    // No publisher at all: the catalog name alone is enough.
    ['Kaspersky Endpoint Security for Windows', undefined, 'kaspersky-endpoint-security-windows'],
  ];
  it.each(cases)('%s (publisher %s) is %s, banned', (name, publisher, product) => {
    expect(classify(name, publisher)).toEqual([`${product}:banned`]);
  });

  it('an unknown Kaspersky product is still reported, as the banned fallback', () => {
    expect(classify('Kaspersky Anti Targeted Attack Platform', 'AO Kaspersky Lab')).toEqual([
      'kaspersky-unidentified:banned',
    ]);
  });

  it('UltraAV and UltraVPN are for review, not banned', () => {
    expect(classify('UltraAV', 'Pango')).toEqual(['ultraav:review']);
    expect(classify('UltraVPN', 'Pango Group')).toEqual(['ultravpn:review']);
  });
});

describe('look-alikes are left alone', () => {
  it.each([
    ['K-Lite Codec Pack 17.8.0 Basic', 'KLCP'],
    ['Kaspersky Endpoint Security for Windows', 'Kaspersky Fan Club Toolkit'],
    ['Hotspot Shield', 'Pango Inc.'],
    ['Kasa', 'TP-Link'],
    ['Klavaro', 'Felipe Castro'],
    ['Kaspa Wallet', 'Kaspa Developers'],
  ])('%s by %s', (name, publisher) => {
    expect(classify(name, publisher)).toEqual([]);
  });
});
