/**
 * What the app can do with the rights it has: shown on the Scan and Plan screens so that nobody
 * discovers at the last step that removal needs an administrator.
 */
import { useStore } from '../store';
import { ErrorAlert, Notice } from './common';

/** The rights notice (nothing when the app already has the rights). */
export function RightsNotice({ always = false }: { always?: boolean }) {
  const { state, refreshInfo } = useStore();
  const { info } = state;
  if (info.error) return <ErrorAlert error={info.error} onRetry={() => void refreshInfo()} />;
  const v = info.value;
  if (!v) return null;
  if (v.removal.mode === 'direct')
    return always ? (
      <Notice type="info" slim title="Administrator rights" level="h2">
        {v.removal.explanation}
      </Notice>
    ) : null;
  if (v.removal.mode === 'elevated')
    return (
      <Notice type="info" title="You are not running Divest as an administrator" level="h2">
        <p className="margin-0">
          Scanning, the directives, the plan and receipts work as you are. {v.removal.explanation}
        </p>
      </Notice>
    );
  return (
    <Notice type="warning" title="Removal is not possible with the rights Divest has" level="h2">
      <p className="margin-0">{v.removal.explanation}</p>
      <p className="margin-bottom-0">({v.rights.how})</p>
    </Notice>
  );
}
