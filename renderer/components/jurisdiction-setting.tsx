/**
 * Which jurisdictions govern this machine: the setting (in Settings) and how a finding then shows
 * the directives that cover it, those that apply here first and those of other jurisdictions
 * after. Nothing is hidden: a product that only other jurisdictions ban is still shown as banned,
 * with a sentence saying so (the same rule as the CLI, core/catalog/jurisdiction.ts).
 */
import { useEffect, useState, type FormEvent } from 'react';
import { Button, Checkbox, Fieldset, Form, Radio } from '@trussworks/react-uswds';
import type { ApiError, CatalogView, Directive } from '../../core/api';
import { ErrorAlert, Notice } from './common';
import { useStore } from '../store';

/** "US,AU" to ["US", "AU"]; "" (all) to []. */
export function parseJurisdictions(setting: string): string[] {
  return setting
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Whether a directive applies under the setting (a directive with no jurisdiction always does). */
export function appliesHere(d: Pick<Directive, 'region'>, setting: readonly string[]): boolean {
  return setting.length === 0 || d.region === undefined || setting.includes(d.region.code);
}

/** The jurisdictions the catalog's directives name, with how many directives each has. */
export function jurisdictionsOf(
  directives: readonly Directive[],
): { code: string; name: string; count: number }[] {
  const byCode = new Map<string, { code: string; name: string; count: number }>();
  for (const d of directives) {
    if (!d.region) continue;
    const j = byCode.get(d.region.code) ?? { code: d.region.code, name: d.region.name, count: 0 };
    j.count += 1;
    byCode.set(d.region.code, j);
  }
  return [...byCode.values()].sort((a, b) => a.code.localeCompare(b.code));
}

/** The Settings section: all jurisdictions (the default), or only those chosen. */
export function JurisdictionSetting() {
  const { state, saveSettings } = useStore();
  const catalog = state.catalog.value;
  const current = state.settings?.jurisdictions ?? '';
  const [chosen, setChosen] = useState<string[]>(parseJurisdictions(current));
  const [only, setOnly] = useState(current !== '');
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    setChosen(parseJurisdictions(current));
    setOnly(current !== '');
  }, [current]);
  const known = catalog ? jurisdictionsOf(catalog.directives) : [];
  const toggle = (code: string, on: boolean) => {
    setSaved(false);
    setChosen((c) => (on ? [...c.filter((x) => x !== code), code] : c.filter((x) => x !== code)));
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const value = only
      ? known
          .map((j) => j.code)
          .filter((c) => chosen.includes(c))
          .join(',')
      : '';
    const err = await saveSettings({ jurisdictions: value });
    setError(err);
    setSaved(!err);
  };
  return (
    <section aria-labelledby="jurisdictions-heading" className="margin-top-4 jurisdiction-setting">
      <h2 id="jurisdictions-heading">Jurisdictions</h2>
      <p className="usa-hint">
        Which governments&apos; rules apply to this machine. Findings list the directives that apply here
        first and those of other jurisdictions after them. Nothing is hidden: a product banned only elsewhere
        is still shown as banned, and says so.
      </p>
      <Form onSubmit={(e) => void submit(e)} large>
        <Fieldset legend="Directives that apply to this machine">
          <Radio
            id="jurisdictions-all"
            name="jurisdictions-mode"
            value="all"
            label="All jurisdictions (the default)"
            checked={!only}
            onChange={() => {
              setSaved(false);
              setOnly(false);
            }}
          />
          <Radio
            id="jurisdictions-only"
            name="jurisdictions-mode"
            value="only"
            label="Only the jurisdictions chosen below"
            checked={only}
            onChange={() => {
              setSaved(false);
              setOnly(true);
            }}
          />
        </Fieldset>
        <Fieldset legend="Jurisdictions in the catalog" className="jurisdiction-choices">
          {known.map((j) => (
            <Checkbox
              key={j.code}
              id={`jurisdiction-${j.code}`}
              name="jurisdiction"
              value={j.code}
              label={`${j.name} (${j.code})`}
              labelDescription={`${j.count} directive${j.count === 1 ? '' : 's'}`}
              checked={chosen.includes(j.code)}
              disabled={!only}
              onChange={(e) => toggle(j.code, e.target.checked)}
            />
          ))}
        </Fieldset>
        {only && chosen.length === 0 ? (
          <p className="usa-error-message">Choose at least one jurisdiction, or apply all of them.</p>
        ) : null}
        <Button type="submit" className="margin-top-3" disabled={only && chosen.length === 0}>
          Save jurisdictions
        </Button>
      </Form>
      <div role="status" aria-live="polite">
        {saved ? <Notice type="success" slim title="Jurisdictions saved" level="h3" /> : null}
      </div>
      {error ? <ErrorAlert error={error} /> : null}
    </section>
  );
}

/** A finding's directives, split by the setting: those that apply here, then those elsewhere. */
export function FindingDirectives({ ids, banned }: { ids: readonly string[]; banned: boolean }) {
  const { state, navigate } = useStore();
  const catalog: CatalogView | null = state.catalog.value;
  const setting = parseJurisdictions(state.settings?.jurisdictions ?? '');
  const all = ids.map(
    (id): Pick<Directive, 'id' | 'shortName' | 'title' | 'region'> =>
      catalog?.directives.find((d) => d.id === id) ?? { id, shortName: id, title: '' },
  );
  if (all.length === 0)
    return <p>No directive bans this product; an administrator should review it and decide.</p>;
  const here = all.filter((d) => appliesHere(d, setting));
  const elsewhere = all.filter((d) => !appliesHere(d, setting));
  const list = (ds: typeof all) => (
    <ul className="usa-list usa-list--unstyled directive-links directive-links--coded">
      {ds.map((d) => (
        <li key={d.id}>
          {d.region ? <span className="jurisdiction-code">{d.region.code}</span> : null}
          <Button type="button" unstyled onClick={() => navigate('directives', d.id)}>
            {d.shortName}
            {d.title ? `: ${d.title}` : ''}
          </Button>
        </li>
      ))}
    </ul>
  );
  return (
    <>
      {here.length ? (
        <>
          <h4 className="font-sans-sm">
            {setting.length
              ? `Directives that cover it here (${setting.join(', ')})`
              : 'Directives that cover it'}
          </h4>
          {list(here)}
        </>
      ) : banned ? (
        <p className="banned-elsewhere">
          <strong>Banned only elsewhere.</strong> No directive of the jurisdictions set for this machine (
          {setting.join(', ')}) covers it, but the directives below do; it is still reported as banned.
        </p>
      ) : null}
      {elsewhere.length ? (
        <>
          <h4 className="font-sans-sm">In jurisdictions not applied to this machine</h4>
          {list(elsewhere)}
        </>
      ) : null}
    </>
  );
}
