/**
 * Errors of the network steps. Their `name`s are API (the vending state machine and its failure
 * event carry them); each message says what is missing and where to look.
 */
import { VendingError } from '../vending/errors';

/** The network account has no resource vendguard's network needs (deploy `VendguardNetwork`). */
export class NetworkNotFoundError extends VendingError {
  constructor(message: string) {
    super(message);
    this.name = 'NetworkNotFoundError';
  }
}

/** An account's VPC is not attached, or its attachment cannot be put in its route table. */
export class NetworkConnectError extends VendingError {
  constructor(message: string) {
    super(message);
    this.name = 'NetworkConnectError';
  }
}
