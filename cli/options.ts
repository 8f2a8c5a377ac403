// Option parsers shared by the subcommands: each names the option in its error.
import { InvalidArgumentError } from 'commander';

/** an integer >= min; "a positive integer" when min is 1 */
export function integerOption(field: string, min = 1) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) {
      throw new InvalidArgumentError(`${field}: expected ${min === 1 ? 'a positive integer' : `an integer >= ${min}`}, got "${value}"`);
    }
    return n;
  };
}

export const positiveInt = (field: string) => integerOption(field, 1);

/** a share: a number from 0 to 1 */
export function rateOption(field: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError(`${field}: expected a number from 0 to 1, got "${value}"`);
    return n;
  };
}

/** a repeatable option: every value, in the order given */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
