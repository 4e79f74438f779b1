/**
 * The jurisdiction setting in Settings, findings split by it, and the Directive library grouped by
 * jurisdiction: rendered in jsdom with the real store, the real catalog and `window.divest` over a
 * scripted transport (render.tsx).
 */
import { describe, it, expect } from 'vitest';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { heading, renderApp } from './render';
import { catalogView, keslFinding, scanResult, settings } from './fixtures';

const step = <T,>(value: T) => ({ running: false, value, error: null });
const KESL_DIRECTIVES =
  catalogView().products.find((p) => p.id === 'kaspersky-endpoint-security-linux')?.directives ?? [];

describe('Settings: jurisdictions', () => {
  it('starts on all jurisdictions, lists those of the catalog, and saves only the chosen codes', async () => {
    let saved = settings();
    const r = renderApp(
      {
        getSettings: { ok: true, value: saved },
        setSettings: (req) => ({ ok: true, value: (saved = settings({ ...saved, ...(req as object) })) }),
      },
      { screen: 'settings' },
    );
    await heading('Settings');
    const section = within(await screen.findByRole('region', { name: 'Jurisdictions' }));
    expect((section.getByLabelText('All jurisdictions (the default)') as HTMLInputElement).checked).toBe(
      true,
    );
    const australia = section.getByLabelText(/Australia \(AU\)/) as HTMLInputElement;
    expect(australia.disabled).toBe(true);
    for (const name of [
      /United States \(US\)/,
      /Italy \(IT\)/,
      /Germany \(DE\)/,
      /United States: New Hampshire \(US-NH\)/,
    ])
      expect(section.getByLabelText(name)).toBeTruthy();
    await userEvent.click(section.getByLabelText('Only the jurisdictions chosen below'));
    const save = section.getByRole('button', { name: 'Save jurisdictions' }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    expect(section.getByText(/Choose at least one jurisdiction/)).toBeTruthy();
    await userEvent.click(section.getByLabelText(/United States \(US\)/));
    await userEvent.click(australia);
    await userEvent.click(save);
    expect(await section.findByText('Jurisdictions saved')).toBeTruthy();
    // Catalog order of codes, not click order; nothing else in the request.
    expect(r.calls.filter((c) => c.method === 'setSettings').map((c) => c.request)).toEqual([
      { jurisdictions: 'AU,US' },
    ]);
  });

  it('the main Save settings never overwrites the jurisdictions', async () => {
    const r = renderApp(
      {
        getSettings: { ok: true, value: settings({ jurisdictions: 'AU' }) },
        setSettings: (req) => ({ ok: true, value: settings({ jurisdictions: 'AU', ...(req as object) }) }),
      },
      { screen: 'settings' },
    );
    await userEvent.type(await screen.findByLabelText('Operator name'), 'Dana');
    await userEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    expect(await screen.findByText('Settings saved')).toBeTruthy();
    const req = r.calls.find((c) => c.method === 'setSettings')?.request as Record<string, unknown>;
    expect(req.operatorName).toBe('Dana');
    expect(req).not.toHaveProperty('jurisdictions');
    const section = within(screen.getByRole('region', { name: 'Jurisdictions' }));
    expect((section.getByLabelText('Only the jurisdictions chosen below') as HTMLInputElement).checked).toBe(
      true,
    );
    expect((section.getByLabelText(/Australia \(AU\)/) as HTMLInputElement).checked).toBe(true);
  });
});

describe('Findings under a jurisdiction setting', () => {
  it('has the directives of the real catalog to show', () => {
    expect(KESL_DIRECTIVES.length).toBeGreaterThan(10);
  });

  const finding = keslFinding({ directives: KESL_DIRECTIVES });

  it('with all jurisdictions: one list of every directive that covers it', async () => {
    renderApp({}, { screen: 'findings', scan: step(scanResult([finding])) });
    expect(await screen.findByRole('heading', { name: 'Directives that cover it' })).toBeTruthy();
    expect(await screen.findByRole('button', { name: /^PSPF Direction 002-2025/ })).toBeTruthy();
    expect(screen.queryByText('In jurisdictions not applied to this machine')).toBeNull();
  });

  it('with AU: what applies here, then the others, each still linked to the library', async () => {
    renderApp(
      { getSettings: { ok: true, value: settings({ jurisdictions: 'AU' }) } },
      { screen: 'findings', scan: step(scanResult([finding])) },
    );
    // Once the catalog is in, the directives of other jurisdictions have their own list.
    await screen.findByRole('heading', { name: 'In jurisdictions not applied to this machine' });
    const here = screen.getByRole('heading', { name: 'Directives that cover it here (AU)' });
    const hereList = here.nextElementSibling as HTMLElement;
    expect(
      within(hereList)
        .getAllByRole('button')
        .map((b) => b.textContent),
    ).toEqual([expect.stringMatching(/^PSPF Direction 002-2025/)]);
    const away = screen.getByRole('heading', { name: 'In jurisdictions not applied to this machine' });
    const awayList = away.nextElementSibling as HTMLElement;
    expect(within(awayList).getByRole('button', { name: /^BOD 17-01/ })).toBeTruthy();
    expect(within(awayList).getByRole('button', { name: /^IT DL 21\/2022/ })).toBeTruthy();
    await userEvent.click(within(awayList).getByRole('button', { name: /^BOD 17-01/ }));
    await heading('Directive library');
    expect(
      screen.getByText(/United States is not among the jurisdictions set for this machine/),
    ).toBeTruthy();
  });

  it('with only Canada: still banned, and says it is banned only elsewhere', async () => {
    renderApp(
      { getSettings: { ok: true, value: settings({ jurisdictions: 'CA' }) } },
      { screen: 'findings', scan: step(scanResult([finding])) },
    );
    expect(await screen.findByText('Banned only elsewhere.')).toBeTruthy();
    expect(screen.getByText('Banned')).toBeTruthy();
    expect(
      screen.getByRole('heading', { name: 'In jurisdictions not applied to this machine' }),
    ).toBeTruthy();
  });
});

describe('Directive library by jurisdiction', () => {
  it('groups the directives by jurisdiction, marks guidance, and names the vendors with sources', async () => {
    renderApp({}, { screen: 'directives', directiveId: 'it-dl-21-2022-art-29' });
    await heading('Directive library');
    const nav = screen.getByRole('navigation', { name: 'Directives by jurisdiction' });
    const groups = within(nav)
      .getAllByRole('list')
      .map((l) => l.getAttribute('aria-labelledby'));
    expect(groups).toEqual([
      'jurisdiction-US',
      'jurisdiction-AU',
      'jurisdiction-IT',
      'jurisdiction-DE',
      'jurisdiction-NL',
      'jurisdiction-GB',
      'jurisdiction-LT',
      'jurisdiction-CA',
      'jurisdiction-US-NH',
      'jurisdiction-US-VT',
    ]);
    expect(within(screen.getByRole('list', { name: /^Germany/ })).getByRole('button').textContent).toBe(
      'BSI warning (2022) · guidance',
    );
    expect(
      within(screen.getByRole('list', { name: /^United States\s*US$/ })).getAllByRole('button'),
    ).toHaveLength(4);
    const article = screen.getByRole('article');
    expect(within(article).getByRole('heading', { level: 2 }).textContent).toMatch(
      /^IT DL 21\/2022 art\. 29:/,
    );
    expect(within(article).getByText('Binding')).toBeTruthy();
    expect(within(article).getByRole('heading', { name: 'Vendors it names' })).toBeTruthy();
    expect(within(article).getByText('Group-IB')).toBeTruthy();
    expect(within(article).getAllByText('(not detected by Divest)')).toHaveLength(2);
    // Its products: the Kaspersky endpoint products, not the VPN.
    const covered = within(article).getByRole('heading', { name: 'Products in the catalog it covers' })
      .nextElementSibling as HTMLElement;
    expect(covered.textContent).toContain('Kaspersky Endpoint Security for Linux');
    expect(covered.textContent).not.toContain('VPN');
    const sources = within(article).getByRole('list', { name: 'Sources' });
    expect(sources.textContent).toContain('ACN Circular of 21 April 2022, n. 4336');
    expect(within(article).getAllByText('UNCONFIRMED').length).toBeGreaterThan(0);
  });

  it('says which jurisdictions the machine does not apply, without hiding them', async () => {
    renderApp(
      { getSettings: { ok: true, value: settings({ jurisdictions: 'US' }) } },
      { screen: 'directives', directiveId: 'de-bsi-warning-2022' },
    );
    await heading('Directive library');
    expect(
      await screen.findByText(/Germany is not among the jurisdictions set for this machine/),
    ).toBeTruthy();
    expect(within(screen.getByRole('article')).getByText('Guidance, not binding')).toBeTruthy();
    const nav = screen.getByRole('navigation', { name: 'Directives by jurisdiction' });
    expect(within(nav).getAllByText('· not applied to this machine')).toHaveLength(9);
    expect(within(nav).getAllByRole('button')).toHaveLength(13);
  });
});
