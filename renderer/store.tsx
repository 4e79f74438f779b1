/**
 * The app's shared state: what the flow carries from one screen to the next (the scan, the plan,
 * the removal and its live progress, the verification, the replacement check), plus the app
 * info, catalog and settings every screen may show.
 *
 * A reducer and a context, nothing more: every change comes from a user action or an event of
 * `window.divest`, and each async step records `running`, its result, or its error, so every
 * screen can draw its empty, working, error and done states from the same data.
 */
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useReducer,
  type ReactNode,
} from 'react';
import type {
  ApiError,
  AppInfo,
  CatalogView,
  HistoryView,
  PlanResult,
  RemovalSummary,
  RemoveProgress,
  ScanProgress,
  Screen,
  Settings,
  StatusView,
  VerifyResult,
} from '../core/api';
import type { ScanResult } from '../core/api';
import type { ReplacementStatus } from '../core/api';
import { divest } from './api';
import { announcementFor, progressAnnouncement } from './words';

/** An async step's state. */
export interface Step<T> {
  running: boolean;
  value: T | null;
  error: ApiError | null;
}

const idle = <T,>(): Step<T> => ({ running: false, value: null, error: null });

/** Everything shared. */
export interface State {
  screen: Screen;
  /** The directive to open in the library (from a finding's link). */
  directiveId: string | null;
  info: Step<AppInfo>;
  catalog: Step<CatalogView>;
  settings: Settings | null;
  scan: Step<ScanResult>;
  scanProgress: ScanProgress | null;
  plan: Step<PlanResult>;
  removal: Step<RemovalSummary>;
  removeLog: RemoveProgress[];
  cancelling: boolean;
  verify: Step<VerifyResult>;
  replacement: Step<ReplacementStatus>;
  /** Where the machine stands by the journal, and the removal to continue (read on launch). */
  status: Step<StatusView>;
  /** Sessions and receipts from the journal (the History screen and the step indicator). */
  history: Step<HistoryView>;
  /** "Stop this uninstaller now" was asked for, and what main answered. */
  stopping: { message: string } | null;
  /** The one polite live region's text: results, in words, announced once (`n` makes a repeat new). */
  announcement: { text: string; n: number };
  /** The settings form has changes not saved. */
  settingsDirty: boolean;
  /** A screen the user asked for while the settings had unsaved changes. */
  pendingScreen: Screen | null;
}

/** The starting state. */
export const initialState: State = {
  screen: 'scan',
  directiveId: null,
  info: idle(),
  catalog: idle(),
  settings: null,
  scan: idle(),
  scanProgress: null,
  plan: idle(),
  removal: idle(),
  removeLog: [],
  cancelling: false,
  verify: idle(),
  replacement: idle(),
  status: idle(),
  history: idle(),
  stopping: null,
  announcement: { text: '', n: 0 },
  settingsDirty: false,
  pendingScreen: null,
};

type StepKey =
  'info' | 'catalog' | 'scan' | 'plan' | 'removal' | 'verify' | 'replacement' | 'status' | 'history';

/** What can happen. */
export type Action =
  | { type: 'navigate'; screen: Screen; directiveId?: string | null }
  | { type: 'start'; key: StepKey }
  | { type: 'done'; key: StepKey; value: unknown }
  | { type: 'failed'; key: StepKey; error: ApiError }
  | { type: 'scan-progress'; progress: ScanProgress }
  | { type: 'remove-progress'; event: RemoveProgress }
  | { type: 'cancelling' }
  | { type: 'stopping'; message: string }
  | { type: 'announce'; text: string }
  | { type: 'settings-dirty'; dirty: boolean }
  | { type: 'settings'; settings: Settings };

function announce(state: State, text: string | null): State['announcement'] {
  return text ? { text, n: state.announcement.n + 1 } : state.announcement;
}

/** The reducer. */
export function reducer(state: State, action: Action): State {
  switch (action.type) {
    case 'navigate':
      // Unsaved settings: ask first (the App shows the question); nothing is lost silently.
      if (state.settingsDirty && state.screen === 'settings' && action.screen !== 'settings')
        return { ...state, pendingScreen: action.screen };
      return {
        ...state,
        pendingScreen: null,
        screen: action.screen,
        directiveId: action.directiveId === undefined ? state.directiveId : action.directiveId,
      };
    case 'start': {
      const next: State = {
        ...state,
        [action.key]: { running: true, value: state[action.key].value, error: null },
      };
      if (action.key === 'scan') next.scanProgress = null;
      if (action.key === 'removal') {
        next.removeLog = [];
        next.cancelling = false;
        next.stopping = null;
        next.removal = { running: true, value: null, error: null };
      }
      return next;
    }
    case 'done': {
      const next: State = {
        ...state,
        [action.key]: { running: false, value: action.value, error: null },
        announcement: announce(state, announcementFor(action.key, action.value)),
      };
      // A new scan or plan makes what followed it stale.
      if (action.key === 'scan') next.verify = idle();
      if (action.key === 'verify')
        next.scan = { running: false, value: (action.value as VerifyResult).scan, error: null };
      if (action.key === 'plan') {
        const p = action.value as PlanResult;
        if (p.scan) next.scan = { running: false, value: p.scan, error: null };
      }
      if (action.key === 'removal') {
        const r = action.value as RemovalSummary;
        // The rescan after removal is now the latest scan.
        next.scan = { running: false, value: r.after, error: null };
        next.replacement = { running: false, value: r.replacement, error: null };
        next.verify = {
          running: false,
          value: {
            scan: r.after,
            leftovers: r.leftovers,
            stillInstalled: r.after.findings.filter(
              (f) => f.status === 'banned' && f.presence === 'installed',
            ),
          },
          error: null,
        };
        next.cancelling = false;
      }
      return next;
    }
    case 'failed':
      return {
        ...state,
        [action.key]: { running: false, value: state[action.key].value, error: action.error },
        ...(action.key === 'removal' ? { cancelling: false } : {}),
      };
    case 'scan-progress':
      return { ...state, scanProgress: action.progress };
    case 'remove-progress':
      return {
        ...state,
        removeLog: [...state.removeLog, action.event],
        announcement: announce(state, progressAnnouncement(action.event, state.removeLog)),
      };
    case 'cancelling':
      return { ...state, cancelling: true };
    case 'stopping':
      return { ...state, stopping: { message: action.message } };
    case 'announce':
      return { ...state, announcement: announce(state, action.text) };
    case 'settings-dirty':
      return { ...state, settingsDirty: action.dirty, ...(action.dirty ? {} : { pendingScreen: null }) };
    case 'settings':
      return { ...state, settings: action.settings };
  }
}

/** The store's context value: the state, dispatch, and the flow's actions. */
export interface Store {
  state: State;
  dispatch: (a: Action) => void;
  navigate: (screen: Screen, directiveId?: string | null) => void;
  refreshInfo: () => Promise<void>;
  runScan: () => Promise<void>;
  makePlan: () => Promise<void>;
  startRemoval: (req: {
    planId: string;
    credentials?: { login?: string; password: string };
    manualDone: string[];
  }) => Promise<void>;
  cancelRemoval: () => Promise<void>;
  stopNow: () => Promise<void>;
  refreshJournal: () => Promise<void>;
  /** "Make a new plan": sets the unfinished one aside; `only` plans for these products. */
  makePlanWith: (options: { newPlan?: boolean; only?: string[] }) => Promise<void>;
  runVerify: () => Promise<void>;
  checkReplacement: () => Promise<void>;
  saveSettings: (patch: Partial<Settings>) => Promise<ApiError | null>;
}

const StoreContext = createContext<Store | null>(null);

/** The store of the nearest provider. */
export function useStore(): Store {
  const s = useContext(StoreContext);
  if (!s) throw new Error('useStore outside <StoreProvider>');
  return s;
}

/** Provides the store and wires `window.divest`'s events into it. */
export function StoreProvider({ children, initial }: { children: ReactNode; initial?: Partial<State> }) {
  const [state, dispatch] = useReducer(reducer, { ...initialState, ...initial });

  const run = useCallback(
    async <T,>(
      key: StepKey,
      call: () => Promise<{ ok: true; value: T } | { ok: false; error: ApiError }>,
    ) => {
      dispatch({ type: 'start', key });
      const r = await call();
      if (r.ok) dispatch({ type: 'done', key, value: r.value });
      else dispatch({ type: 'failed', key, error: r.error });
    },
    [],
  );

  const refreshInfo = useCallback(() => run('info', () => divest().appInfo({})), [run]);

  useEffect(() => {
    const api = divest();
    const offs = [
      api.onScanProgress((progress) => dispatch({ type: 'scan-progress', progress })),
      api.onRemoveProgress((event) => dispatch({ type: 'remove-progress', event })),
      api.onNavigate(({ screen }) => dispatch({ type: 'navigate', screen })),
    ];
    void refreshInfo();
    void run('catalog', () => api.catalog({}));
    // Restored on launch from the journal: the verdict, an unfinished removal, the done steps.
    void run('status', () => api.status({}));
    void run('history', () => api.history({}));
    void api.getSettings({}).then((r) => {
      if (r.ok) dispatch({ type: 'settings', settings: r.value });
    });
    return () => offs.forEach((off) => off());
  }, [refreshInfo, run]);

  const store = useMemo<Store>(
    () => ({
      state,
      dispatch,
      navigate: (screen, directiveId) => dispatch({ type: 'navigate', screen, directiveId }),
      refreshInfo,
      runScan: async () => {
        await run('scan', () => divest().scan({}));
        void run('history', () => divest().history({}));
        void run('status', () => divest().status({}));
      },
      makePlan: () => run('plan', () => divest().plan({})),
      makePlanWith: (o) =>
        run('plan', () =>
          divest().plan({ ...(o.newPlan ? { newPlan: true } : {}), ...(o.only ? { only: o.only } : {}) }),
        ),
      refreshJournal: async () => {
        await Promise.all([
          run('status', () => divest().status({})),
          run('history', () => divest().history({})),
        ]);
      },
      startRemoval: async (req) => {
        await run('removal', () =>
          divest().remove({
            planId: req.planId,
            acknowledged: true,
            manualDone: req.manualDone,
            ...(req.credentials ? { credentials: req.credentials } : {}),
          }),
        );
        void run('status', () => divest().status({}));
        void run('history', () => divest().history({}));
      },
      cancelRemoval: async () => {
        const planId = state.plan.value?.plan.id;
        if (!planId) return;
        dispatch({ type: 'cancelling' });
        await divest().cancelRemove({ planId });
      },
      stopNow: async () => {
        const planId = state.plan.value?.plan.id;
        if (!planId) return;
        const r = await divest().stopRemoveNow({ planId });
        const message = r.ok ? r.value.message : r.error.message;
        dispatch({ type: 'stopping', message });
        dispatch({ type: 'announce', text: message });
      },
      // Each of these changes what the journal says of the machine: the header's verdict follows.
      runVerify: async () => {
        await run('verify', () => divest().verify({}));
        void run('status', () => divest().status({}));
      },
      checkReplacement: async () => {
        await run('replacement', () => divest().checkReplacement({}));
        void run('status', () => divest().status({}));
      },
      saveSettings: async (patch) => {
        const r = await divest().setSettings(patch);
        if (!r.ok) return r.error;
        dispatch({ type: 'settings', settings: r.value });
        return null;
      },
    }),
    [state, refreshInfo, run],
  );

  return <StoreContext.Provider value={store}>{children}</StoreContext.Provider>;
}
