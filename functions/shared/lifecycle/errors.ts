/**
 * Errors of day-2 operations. Their `name`s are API: the closing state machine and its events carry
 * them. Each message names the account and says why.
 */
import { VendingError } from '../vending/errors';

/** vendguard does not close this account: a core account, one outside its OUs, one it cannot find. */
export class CloseRefusedError extends VendingError {
  constructor(message: string) {
    super(message);
    this.name = 'CloseRefusedError';
  }
}

/** A stack instance of the account could not be removed (its stack set operation failed). */
export class BaselineRemovalFailedError extends VendingError {
  constructor(accountId: string, stackSet: string, reason: string) {
    super(`removing stack set ${stackSet} from account ${accountId} failed: ${reason}`);
    this.name = 'BaselineRemovalFailedError';
  }
}

/** AWS refused CloseAccount for a reason that waiting will not fix. */
export class CloseAccountFailedError extends VendingError {
  constructor(accountId: string, reason: string) {
    super(`CloseAccount ${accountId} was refused: ${reason}`);
    this.name = 'CloseAccountFailedError';
  }
}
