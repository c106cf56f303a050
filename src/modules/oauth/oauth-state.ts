import type { AppDeps } from '../../http/deps.js';
import { JwtIdLedger } from './jwt-id-ledger.js';
import { SigningKeyStore } from './signing-key-store.js';

/** What the OAuth routes and the access token verifier of one app share in memory. */
export interface OAuthState {
  readonly keys: SigningKeyStore;
  readonly jwtIds: JwtIdLedger;
}

/** @example const state = createOAuthState(deps); */
export function createOAuthState(deps: Pick<AppDeps, 'db' | 'clock' | 'secretKey' | 'config'>): OAuthState {
  return { keys: new SigningKeyStore(deps), jwtIds: new JwtIdLedger(deps) };
}
