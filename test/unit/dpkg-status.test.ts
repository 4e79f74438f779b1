import { describe, expect, it } from 'vitest';
import { dpkgConfigOnly, dpkgFilesPresent, parseDpkgStatus } from '../../core/host/parsers/dpkg-status';

// Paragraphs in the exact layout dpkg writes to /var/lib/dpkg/status.
const STATUS = `Package: kesl
Status: install ok installed
Priority: optional
Section: misc
Installed-Size: 412345
Maintainer: Kaspersky Lab <support@kaspersky.com>
Architecture: amd64
Version: 12.1.0-1234
Conffiles:
 /etc/opt/kaspersky/kesl/kesl.conf 0123456789abcdef0123456789abcdef
Description: Kaspersky Endpoint Security for Linux
 Multi-line description
 .
 continues here.

Package: klnagent64
Status: deinstall ok config-files
Maintainer: Kaspersky Lab <support@kaspersky.com>
Architecture: amd64
Version: 14.2.0-8829
Description: Kaspersky Security Center Network Agent

Package: klavaro
Status: install ok half-configured
Maintainer: Debian QA Group <packages@qa.debian.org>
Architecture: amd64
Version: 3.13-2
Description: Flexible touch typing tutor

Version: 1.0
Description: paragraph without a package

Package: broken
Version: 1
`;

describe('dpkg status database', () => {
  it('parses packages with continuation lines and the status words', () => {
    const { records, problems } = parseDpkgStatus(STATUS);
    expect(records.map((r) => r.package)).toEqual(['kesl', 'klnagent64', 'klavaro']);
    expect(records[0]).toMatchObject({
      version: '12.1.0-1234',
      architecture: 'amd64',
      maintainer: 'Kaspersky Lab <support@kaspersky.com>',
      status: 'install ok installed',
      description: 'Kaspersky Endpoint Security for Linux',
      line: 1,
    });
    expect(problems).toEqual([
      'paragraph at line 30: no Package field',
      'package broken (line 33): no Status field',
    ]);
  });

  it('knows which states leave files on disk and which leave only configuration', () => {
    expect(dpkgFilesPresent('install ok installed')).toBe(true);
    expect(dpkgFilesPresent('install ok half-configured')).toBe(true);
    expect(dpkgFilesPresent('deinstall ok config-files')).toBe(false);
    expect(dpkgFilesPresent('purge ok not-installed')).toBe(false);
    expect(dpkgConfigOnly('deinstall ok config-files')).toBe(true);
    expect(dpkgConfigOnly('install ok installed')).toBe(false);
  });

  it('accepts CRLF line ends and an empty database', () => {
    expect(parseDpkgStatus(STATUS.replace(/\n/g, '\r\n')).records).toHaveLength(3);
    expect(parseDpkgStatus('')).toEqual({ records: [], problems: [] });
  });
});

describe('parseDpkgStatus on hostile input (15.8)', () => {
  it('cuts a huge Version, Maintainer or Description to 4 KiB with a visible marker', () => {
    const huge = 'x'.repeat(5_000_000);
    const { records } = parseDpkgStatus(
      `Package: kesl\nStatus: install ok installed\nVersion: ${huge}\nMaintainer:    ${huge}\nDescription: short\n`,
    );
    const [r] = records;
    expect(r?.version).toBe(`${'x'.repeat(4096)}…(truncated)`);
    expect(r?.maintainer).toBe(`${'x'.repeat(4096)}…(truncated)`);
    expect(r?.description).toBe('short');
  });

  it('stays linear on long lines without a colon, and lists at most 100 problems', () => {
    const garbage = `${'y'.repeat(200_000)}\n`.repeat(200);
    const started = Date.now();
    const { records, problems } = parseDpkgStatus(garbage);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(records).toEqual([]);
    expect(problems).toHaveLength(101);
    expect(problems[100]).toBe('100 more problems not listed');
  });
});
