import type { AppDeps } from '../../http/deps.js';
import type { Clock } from '../../lib/clock.js';
import type { CredentialPolicy } from '../organizations/credential-policy.js';
import type { Organization } from '../organizations/organization.repository.js';
import type { WatchedCredential } from './watched-credential.repository.js';

/** What the credential maintenance needs from the application. */
export type MaintenanceDeps = Pick<AppDeps, 'db' | 'clock' | 'invalidation'>;

export const DAY_MS = 86_400_000;

export interface MaintenanceCounts {
  organizations: number;
  expiryReminders: number;
  idleWarnings: number;
  idleRevocations: number;
}

/** One organization's share of a maintenance pass: what each of its steps works with. */
export interface OrganizationPass {
  deps: MaintenanceDeps;
  clock: Clock;
  org: Organization;
  policy: CredentialPolicy;
  /** Who gets the emails about a credential: its API user's contact and the managers. */
  recipientsOf(c: WatchedCredential): Promise<string[]>;
  counts: MaintenanceCounts;
}
