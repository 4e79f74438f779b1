/**
 * The unfinished removal, offered at once on the first screen (read from the journal on launch):
 * "Removal of … was interrupted at step 1 of 2 (…) on …. Continue / Make a new plan".
 */
import { Button } from '@trussworks/react-uswds';
import { useStore } from '../store';
import { Notice } from './common';

/** The banner, or nothing when no removal is waiting. */
export function ResumeBanner() {
  const { state, makePlanWith, navigate } = useStore();
  const open = state.status.value?.open;
  if (!open || state.removal.running || state.removal.value) return null;
  const go = async (newPlan: boolean) => {
    navigate('plan');
    await makePlanWith({ newPlan });
  };
  return (
    <Notice
      type="warning"
      title={
        open.state === 'reboot-pending' ? 'A removal is waiting for a restart' : 'A removal did not finish'
      }
      className="margin-y-2 resume-banner"
    >
      <p className="margin-0">{open.sentence}</p>
      {open.stoppedAt?.message ? (
        <p className="margin-top-1 margin-bottom-0">{open.stoppedAt.message}</p>
      ) : null}
      <div className="flow-next margin-bottom-0">
        <Button type="button" onClick={() => void go(false)}>
          {open.state === 'reboot-pending' ? 'Continue after the restart' : 'Continue the removal'}
        </Button>
        <Button type="button" outline onClick={() => void go(true)}>
          Make a new plan
        </Button>
      </div>
      <p className="margin-top-1 margin-bottom-0 text-base-dark">
        Continue checks the machine again first; a new plan sets this one aside (recorded in the log).
      </p>
    </Notice>
  );
}
