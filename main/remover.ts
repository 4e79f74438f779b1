/**
 * Who runs a removal: this process when it already has administrator rights, or an elevated
 * helper process (see `elevate.ts`) when it does not. Both run the same job
 * (`core/usecases/removal-job.ts`), so the handlers and the UI do not care which one ran.
 */
import type { RemovalSummary } from '../core/api';
import { runRemovalJob, type RemoveJob } from '../core/usecases/removal-job';
import type { Workspace } from '../core/usecases/workspace';

export type { RemoveJob };

/** Carries out removals. */
export interface Remover {
  readonly kind: 'direct' | 'elevated';
  run(job: RemoveJob, ws: Workspace): Promise<RemovalSummary>;
}

/** The remover for a process that already has administrator rights. */
export class DirectRemover implements Remover {
  readonly kind = 'direct' as const;

  run(job: RemoveJob, ws: Workspace): Promise<RemovalSummary> {
    return runRemovalJob(job, ws);
  }
}
