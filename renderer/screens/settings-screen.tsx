/**
 * Settings: who is operating (printed on receipts), where receipts go, the theme, the catalog,
 * the paper size. Paths are checked on save by main (settings:check), and each problem is shown
 * at its field (USWDS error message pattern); Browse asks main for the system's chooser. Changes
 * not saved are never lost silently: leaving asks first.
 *
 * Further settings add a field to `TEXT_FIELDS` (or their own component) and a key to Settings.
 */
import { useEffect, useState, type FormEvent } from 'react';
import {
  Button,
  ErrorMessage,
  Fieldset,
  Form,
  FormGroup,
  Label,
  Radio,
  TextInput,
} from '@trussworks/react-uswds';
import type { ApiError, FieldProblem, Settings } from '../../core/api';
import { divest } from '../api';
import { ErrorAlert, Notice, PathValue, ScreenHeading } from '../components/common';
import { JurisdictionSetting } from '../components/jurisdiction-setting';
import { useStore } from '../store';

type TextKey = 'operatorName' | 'organisation' | 'exportFolder' | 'catalogPath';

/** The text fields, in order: id, label, hint, and what Browse chooses (if anything). */
const TEXT_FIELDS: {
  key: TextKey;
  id: string;
  label: string;
  hint?: string;
  browse?: 'export-folder' | 'catalog';
}[] = [
  { key: 'operatorName', id: 'operator-name', label: 'Operator name' },
  { key: 'organisation', id: 'organisation', label: 'Organisation' },
  {
    key: 'exportFolder',
    id: 'export-folder',
    label: 'Export folder for receipts',
    hint: ' (empty: the default folder)',
    browse: 'export-folder',
  },
  {
    key: 'catalogPath',
    id: 'catalog-path',
    label: 'Catalog file',
    hint: ' (empty: the catalog built into Divest)',
    browse: 'catalog',
  },
];

/** The Settings screen. */
export function SettingsScreen() {
  const { state, saveSettings, dispatch, refreshInfo } = useStore();
  const [draft, setDraft] = useState<Settings | null>(state.settings);
  const [error, setError] = useState<ApiError | null>(null);
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (!draft && state.settings) setDraft(state.settings);
  }, [state.settings, draft]);
  useEffect(() => {
    // The key may have been made since launch (the first receipt): About must say so.
    void refreshInfo();
  }, [refreshInfo]);
  const dirty =
    draft !== null &&
    state.settings !== null &&
    (Object.keys(draft) as (keyof Settings)[]).some(
      (k) => k !== 'jurisdictions' && draft[k] !== state.settings?.[k],
    );
  useEffect(() => {
    if (dirty !== state.settingsDirty) dispatch({ type: 'settings-dirty', dirty });
  }, [dirty, state.settingsDirty, dispatch]);
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
    setProblems((p) => p.filter((x) => x.field !== k));
    setDraft({ ...draft, [k]: v });
  };
  const problemOf = (k: string) => problems.find((p) => p.field === k)?.message;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    // The jurisdictions have their own form (JurisdictionSetting): never overwrite them from here.
    const { jurisdictions: _jurisdictions, ...rest } = draft;
    const check = await divest().checkSettings(rest);
    if (check.ok && check.value.problems.length) {
      setProblems(check.value.problems);
      const first = TEXT_FIELDS.find((f) => f.key === check.value.problems[0]?.field);
      if (first) document.getElementById(first.id)?.focus();
      return;
    }
    const err = await saveSettings(rest);
    setError(err);
    setSaved(!err);
    if (!err) dispatch({ type: 'announce', text: 'Settings saved.' });
  };
  const browse = async (key: TextKey, purpose: 'export-folder' | 'catalog') => {
    const r = await divest().chooseFile({ purpose });
    if (!r.ok)
      setProblems((p) => [...p.filter((x) => x.field !== key), { field: key, message: r.error.message }]);
    else if (r.value.path !== null) set(key, r.value.path);
  };
  return (
    <>
      <ScreenHeading lead="Your name and organisation are printed on every receipt.">Settings</ScreenHeading>
      {dirty ? (
        <p className="unsaved-note" id="unsaved-note">
          <strong>Unsaved changes.</strong> Save them, or they are lost when you leave.
        </p>
      ) : null}
      <Form onSubmit={(e) => void submit(e)} large>
        {TEXT_FIELDS.map((f) => {
          const problem = problemOf(f.key);
          return (
            <FormGroup key={f.key} error={Boolean(problem)}>
              <Label htmlFor={f.id} hint={f.hint} error={Boolean(problem)}>
                {f.label}
              </Label>
              {problem ? <ErrorMessage id={`${f.id}-error`}>{problem}</ErrorMessage> : null}
              <div className="input-with-button">
                <TextInput
                  id={f.id}
                  name={f.id}
                  type="text"
                  value={draft[f.key]}
                  maxLength={f.key === 'operatorName' || f.key === 'organisation' ? 200 : 4096}
                  validationStatus={problem ? 'error' : undefined}
                  aria-describedby={problem ? `${f.id}-error` : undefined}
                  aria-invalid={problem ? true : undefined}
                  onChange={(e) => set(f.key, e.target.value)}
                />
                {f.browse ? (
                  <Button
                    type="button"
                    outline
                    aria-label={`Browse for the ${f.label.toLowerCase()}`}
                    onClick={() => void browse(f.key, f.browse ?? 'catalog')}
                  >
                    Browse…
                  </Button>
                ) : null}
              </div>
            </FormGroup>
          );
        })}
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
        <Fieldset legend="Paper size of PDF receipts">
          {(['letter', 'a4'] as const).map((p) => (
            <Radio
              key={p}
              id={`paper-${p}`}
              name="paper"
              value={p}
              label={p === 'letter' ? 'US Letter' : 'A4'}
              checked={draft.paperSize === p}
              onChange={() => set('paperSize', p)}
            />
          ))}
        </Fieldset>
        <Button type="submit" className="margin-top-3">
          Save settings
        </Button>
      </Form>
      {saved ? <Notice type="success" slim title="Settings saved" level="h2" /> : null}
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
              <PathValue path={info.dataDir} />
            </dd>
            <dt>Receipt signing key</dt>
            <dd>
              {info.keyFingerprint ? (
                <code className="hash">{info.keyFingerprint}</code>
              ) : (
                'None yet: it is made when the first receipt is signed.'
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
