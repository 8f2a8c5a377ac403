/** An error the user caused (bad file, bad option): printed as one line, no stack trace. */
export class UserError extends Error {
  override name = 'UserError';
}
