/**
 * The app's frame: skip link, header with the machine's verdict, the flow's navigation (a step
 * indicator rebuilt from the journal: each step says when it is done), the current screen, and
 * the one polite live region through which results are announced once, in words.
 *
 * At narrow widths (320 CSS px, or 200% zoom) the navigation collapses behind a "Menu" button,
 * as USWDS side navigation does on mobile.
 */
import { useEffect, useRef, useState, type ReactElement } from 'react';
import { Button } from '@trussworks/react-uswds';
import type { Screen } from '../core/api';
import { useStore, type State } from './store';
import { ScanScreen } from './screens/scan-screen';
import { FindingsScreen } from './screens/findings-screen';
import { DirectivesScreen } from './screens/directives-screen';
import { PlanScreen } from './screens/plan-screen';
import { RemoveScreen } from './screens/remove-screen';
import { VerifyScreen } from './screens/verify-screen';
import { ReplaceScreen } from './screens/replace-screen';
import { ReceiptScreen } from './screens/receipt-screen';
import { AuditScreen } from './screens/audit-screen';
import { HistoryScreen } from './screens/history-screen';
import { LogScreen } from './screens/log-screen';
import { SettingsScreen } from './screens/settings-screen';

/** The screens in navigation order, with their labels. */
export const NAV: { screen: Screen; label: string; group: 'flow' | 'tools' }[] = [
  { screen: 'scan', label: 'Scan', group: 'flow' },
  { screen: 'findings', label: 'Findings', group: 'flow' },
  { screen: 'directives', label: 'Directive library', group: 'flow' },
  { screen: 'plan', label: 'Plan', group: 'flow' },
  { screen: 'remove', label: 'Remove', group: 'flow' },
  { screen: 'verify', label: 'Verify', group: 'flow' },
  { screen: 'replace', label: 'Replace', group: 'flow' },
  { screen: 'receipt', label: 'Receipt', group: 'flow' },
  { screen: 'audit', label: 'Check a receipt', group: 'tools' },
  { screen: 'history', label: 'History', group: 'tools' },
  { screen: 'log', label: 'Log', group: 'tools' },
  { screen: 'settings', label: 'Settings', group: 'tools' },
];

const SCREENS: Record<Screen, () => ReactElement> = {
  scan: ScanScreen,
  findings: FindingsScreen,
  directives: DirectivesScreen,
  plan: PlanScreen,
  remove: RemoveScreen,
  verify: VerifyScreen,
  replace: ReplaceScreen,
  receipt: ReceiptScreen,
  audit: AuditScreen,
  history: HistoryScreen,
  log: LogScreen,
  settings: SettingsScreen,
};

function useTheme(theme: 'system' | 'light' | 'dark' | undefined): void {
  useEffect(() => {
    const media = window.matchMedia?.('(prefers-color-scheme: dark)');
    const apply = () => {
      const dark = theme === 'dark' || (theme !== 'light' && media?.matches === true);
      document.documentElement.dataset.theme = dark ? 'dark' : 'light';
    };
    apply();
    media?.addEventListener?.('change', apply);
    return () => media?.removeEventListener?.('change', apply);
  }, [theme]);
}

/** A badge in the navigation: what the step needs or found. */
function badge(screen: Screen, s: State): string | null {
  if (screen === 'findings' && s.scan.value) {
    const n = s.scan.value.findings.length;
    return n ? String(n) : null;
  }
  if (screen === 'remove' && s.removal.running) return 'running';
  if (screen === 'replace' && s.replacement.value && s.replacement.value.state !== 'active')
    return 'unprotected';
  return null;
}

/** Whether a step of the flow is done, from this session and from the journal (restored on launch). */
export function stepDone(screen: Screen, s: State): boolean {
  const f = s.history.value?.flow;
  switch (screen) {
    case 'scan':
      return Boolean(s.scan.value) || Boolean(f?.scanned);
    case 'findings':
      return Boolean(s.plan.value) || Boolean(f?.planned);
    case 'plan':
      return Boolean(s.removal.value) || Boolean(f?.planned && (f.removed || s.status.value?.open));
    case 'remove':
      return s.removal.value?.status === 'completed' || Boolean(f?.removed);
    case 'verify':
      return Boolean(s.verify.value) || Boolean(f?.verified);
    case 'replace':
      return s.replacement.value ? s.replacement.value.state === 'active' : Boolean(f?.protectedNow);
    case 'receipt':
      return Boolean(f?.receiptExported);
    default:
      return false;
  }
}

/** The question asked when leaving Settings with unsaved changes. */
function UnsavedQuestion() {
  const { state, dispatch } = useStore();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.focus(), []);
  const target = state.pendingScreen;
  if (!target) return null;
  const label = NAV.find((n) => n.screen === target)?.label ?? target;
  return (
    <div
      ref={ref}
      tabIndex={-1}
      role="alertdialog"
      aria-labelledby="unsaved-heading"
      aria-describedby="unsaved-text"
      className="usa-alert usa-alert--warning unsaved-question"
    >
      <div className="usa-alert__body">
        <h2 id="unsaved-heading" className="usa-alert__heading">
          Your settings are not saved
        </h2>
        <p id="unsaved-text" className="usa-alert__text">
          Leave Settings for {label} and lose the changes, or stay and save them.
        </p>
        <div className="flow-next">
          <Button type="button" onClick={() => dispatch({ type: 'settings-dirty', dirty: false })}>
            Stay and save
          </Button>
          <Button
            type="button"
            outline
            onClick={() => {
              dispatch({ type: 'settings-dirty', dirty: false });
              dispatch({ type: 'navigate', screen: target });
            }}
          >
            Discard the changes
          </Button>
        </div>
      </div>
    </div>
  );
}

/** The app. */
export function App() {
  const { state, navigate } = useStore();
  const [menuOpen, setMenuOpen] = useState(false);
  useTheme(state.settings?.theme);
  const Current = SCREENS[state.screen];
  const info = state.info.value;
  // The journal's verdict, refreshed after every scan, removal and check; the removal's own
  // until the first refresh answers.
  const verdict = state.status.value?.verdict ?? state.removal.value?.verdict ?? null;
  const item = (n: (typeof NAV)[number]) => {
    const b = badge(n.screen, state);
    const done = n.group === 'flow' && stepDone(n.screen, state);
    return (
      <li key={n.screen} className="usa-sidenav__item">
        <button
          type="button"
          className={`nav-link${state.screen === n.screen ? ' usa-current' : ''}`}
          aria-current={state.screen === n.screen ? 'page' : undefined}
          onClick={() => {
            setMenuOpen(false);
            navigate(n.screen);
          }}
        >
          <span>
            {done ? (
              <span className="nav-done" aria-hidden="true">
                ✓{' '}
              </span>
            ) : null}
            {n.label}
            {done ? <span className="usa-sr-only"> (done)</span> : null}
          </span>
          {b ? (
            <span className={`nav-badge nav-badge--${b}`}>{b === 'unprotected' ? 'UNPROTECTED' : b}</span>
          ) : null}
        </button>
      </li>
    );
  };
  return (
    <>
      <a className="usa-skipnav" href="#main-content">
        Skip to main content
      </a>
      <header className="app-header">
        <div className="app-header__brand">
          <span className="app-header__name">Divest</span>
          <span className="app-header__tag">
            Find, remove and prove the removal of banned security software
          </span>
        </div>
        <div className="app-header__host" aria-label="Machine">
          {info
            ? info.hostRoot
              ? `Image: ${info.hostRoot} (${info.os})`
              : `${info.hostname} (${info.os})`
            : ''}
          {info && info.rights.admin === false ? (
            <span className="app-header__rights"> · not administrator</span>
          ) : null}
          {verdict && verdict.state !== 'not-scanned' ? (
            <span className={`app-header__verdict app-header__verdict--${verdict.fleetStatus}`}>
              {verdict.headline}
            </span>
          ) : null}
        </div>
      </header>
      <div className="app-body">
        <nav className={`app-nav${menuOpen ? ' app-nav--open' : ''}`} aria-label="Steps">
          <button
            type="button"
            className="app-nav__toggle usa-button usa-button--outline"
            aria-expanded={menuOpen}
            aria-controls="app-nav-lists"
            onClick={() => setMenuOpen((o) => !o)}
          >
            Menu: {NAV.find((n) => n.screen === state.screen)?.label}
          </button>
          <div id="app-nav-lists" className="app-nav__lists">
            <ul className="usa-sidenav">{NAV.filter((n) => n.group === 'flow').map(item)}</ul>
            <ul className="usa-sidenav margin-top-3">{NAV.filter((n) => n.group === 'tools').map(item)}</ul>
          </div>
        </nav>
        <main id="main-content" className="app-main" tabIndex={-1}>
          <div className="app-main__inner">
            {state.pendingScreen ? <UnsavedQuestion /> : null}
            <Current key={state.screen} />
          </div>
        </main>
      </div>
      <div className="usa-sr-only" role="status" aria-live="polite" aria-atomic="true" id="announcer">
        {state.announcement.text}
      </div>
    </>
  );
}
