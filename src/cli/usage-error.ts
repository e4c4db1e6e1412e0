import { SecretrefError } from '../core.js';

/** A command line the user must fix: exit code 2. */
export class UsageError extends SecretrefError {
  constructor(message: string) {
    super('INVALID_INPUT', message);
  }
}
