/**
 * Settings: who is operating (printed on receipts), where receipts go, the theme, and the catalog.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { Button, Fieldset, Form, Label, Radio, TextInput } from '@trussworks/react-uswds';
import type { ApiError, Settings } from '../../core/api';
import { ErrorAlert, Notice, ScreenHeading } from '../components/common';
import { JurisdictionSetting } from '../components/jurisdiction-setting';
import { useStore } from '../store';

/** The Settings screen. */
export function SettingsScreen() {
  const { state, saveSettings } = useStore();
  const [draft, setDraft] = useState<Settings | null>(state.settings);
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (!draft && state.settings) setDraft(state.settings);
  }, [state.settings, draft]);
  const info = state.info.value;
  if (!draft)
    return (
      <>
        <ScreenHeading>Settings</ScreenHeading>
        <p>Loading the settings…</p>
      </>
    );
  const set = <K extends keyof Settings>(k: K, v: Settings[K]) => {
    setSaved(false);
    setDraft({ ...draft, [k]: v });
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    // The jurisdictions have their own form (JurisdictionSetting): never overwrite them from here.
    const { jurisdictions: _jurisdictions, ...rest } = draft;
    const err = await saveSettings(rest);
    setError(err);
    setSaved(!err);
  };
  return (
    <>
      <ScreenHeading lead="Your name and organisation are printed on every receipt.">Settings</ScreenHeading>
      <Form onSubmit={(e) => void submit(e)} large>
        <Label htmlFor="operator-name">Operator name</Label>
        <TextInput
          id="operator-name"
          name="operator-name"
          type="text"
          value={draft.operatorName}
          maxLength={200}
          onChange={(e) => set('operatorName', e.target.value)}
        />
        <Label htmlFor="organisation">Organisation</Label>
        <TextInput
          id="organisation"
          name="organisation"
          type="text"
          value={draft.organisation}
          maxLength={200}
          onChange={(e) => set('organisation', e.target.value)}
        />
        <Label htmlFor="export-folder" hint=" (empty: the default folder)">
          Export folder for receipts
        </Label>
        <TextInput
          id="export-folder"
          name="export-folder"
          type="text"
          value={draft.exportFolder}
          onChange={(e) => set('exportFolder', e.target.value)}
        />
        <Fieldset legend="Theme">
          {(['system', 'light', 'dark'] as const).map((t) => (
            <Radio
              key={t}
              id={`theme-${t}`}
              name="theme"
              value={t}
              label={t === 'system' ? 'As the system' : t === 'light' ? 'Light' : 'Dark'}
              checked={draft.theme === t}
              onChange={() => set('theme', t)}
            />
          ))}
        </Fieldset>
        <Label htmlFor="catalog-path" hint=" (empty: the catalog built into Divest)">
          Catalog file
        </Label>
        <TextInput
          id="catalog-path"
          name="catalog-path"
          type="text"
          value={draft.catalogPath}
          onChange={(e) => set('catalogPath', e.target.value)}
        />
        <Button type="submit" className="margin-top-3">
          Save settings
        </Button>
      </Form>
      <div role="status" aria-live="polite">
        {saved ? <Notice type="success" slim title="Settings saved" level="h2" /> : null}
      </div>
      {error ? <ErrorAlert error={error} /> : null}
      <JurisdictionSetting />
      {info ? (
        <section aria-labelledby="about-heading" className="margin-top-4">
          <h2 id="about-heading">About this installation</h2>
          <dl className="facts">
            <dt>Divest</dt>
            <dd>{info.version}</dd>
            <dt>Catalog</dt>
            <dd>
              {info.catalog.version} ({info.catalog.origin})
            </dd>
            <dt>Data folder</dt>
            <dd>
              <code className="location">{info.dataDir}</code>
            </dd>
            <dt>Receipt signing key</dt>
            <dd>
              {info.keyFingerprint ? (
                <code className="hash">{info.keyFingerprint}</code>
              ) : (
                'made with the first receipt'
              )}
            </dd>
            <dt>Administrator rights</dt>
            <dd>{info.rights.how}</dd>
          </dl>
        </section>
      ) : null}
    </>
  );
}
