// The CLI's side of config/: a bad setting is a user's error (one line naming the variable).
import { SettingsError } from '../config/index.ts';
import { UserError } from './user-error.ts';

export function settingsOrUserError<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof SettingsError) throw new UserError(err.message);
    throw err;
  }
}
