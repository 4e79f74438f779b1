/**
 * The app's frame: skip link, header, the flow's navigation (in the order of the work), and the
 * current screen. The theme follows the settings (or the system).
 */
import { useEffect, type ReactElement } from 'react';
import type { Screen } from '../core/api';
import { useStore } from './store';
import { ScanScreen } from './screens/scan-screen';
import { FindingsScreen } from './screens/findings-screen';
import { DirectivesScreen } from './screens/directives-screen';
import { PlanScreen } from './screens/plan-screen';
import { RemoveScreen } from './screens/remove-screen';
import { VerifyScreen } from './screens/verify-screen';
import { ReplaceScreen } from './screens/replace-screen';
import { ReceiptScreen } from './screens/receipt-screen';
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
function badge(screen: Screen, s: ReturnType<typeof useStore>['state']): string | null {
  if (screen === 'findings' && s.scan.value) {
    const n = s.scan.value.findings.length;
    return n ? String(n) : null;
  }
  if (screen === 'remove' && s.removal.running) return 'running';
  if (screen === 'replace' && s.replacement.value && s.replacement.value.state !== 'active')
    return 'unprotected';
  return null;
}

/** The app. */
export function App() {
  const { state, navigate } = useStore();
  useTheme(state.settings?.theme);
  const Current = SCREENS[state.screen];
  const info = state.info.value;
  const item = (n: (typeof NAV)[number]) => {
    const b = badge(n.screen, state);
    return (
      <li key={n.screen} className="usa-sidenav__item">
        <button
          type="button"
          className={`nav-link${state.screen === n.screen ? ' usa-current' : ''}`}
          aria-current={state.screen === n.screen ? 'page' : undefined}
          onClick={() => navigate(n.screen)}
        >
          {n.label}
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
        </div>
      </header>
      <div className="app-body">
        <nav className="app-nav" aria-label="Steps">
          <ul className="usa-sidenav">{NAV.filter((n) => n.group === 'flow').map(item)}</ul>
          <ul className="usa-sidenav margin-top-3">{NAV.filter((n) => n.group === 'tools').map(item)}</ul>
        </nav>
        <main id="main-content" className="app-main" tabIndex={-1}>
          <div className="app-main__inner">
            <Current key={state.screen} />
          </div>
        </main>
      </div>
    </>
  );
}
