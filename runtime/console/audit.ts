/**
 * The audit log: every operator and admin action (replay, resubmit, discard, re-sync, user changes,
 * logins that succeeded or were refused) with who, what, when, and the state before and after. Written
 * after the action succeeded; what it records is masked like everything else the console shows.
 */
import type { Store } from '../store/store.js';
import type { Masker } from './mask.js';

export class Audit {
  constructor(private readonly store: Store, private readonly masker: Masker) {}

  async record(user: string, action: string, target: string, before?: unknown, after?: unknown): Promise<void> {
    await this.store.console.appendAudit({
      user, action, target,
      ...(before !== undefined ? { before: this.masker.mask(before) } : {}),
      ...(after !== undefined ? { after: this.masker.mask(after) } : {}),
    });
  }
}
