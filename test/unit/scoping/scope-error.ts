/**
 * Shared by the scoping tests: runs something that must fail with a ScopeError and returns it.
 */
import { ScopeError } from '../../../src/scoping/scoper.js';

export function scopeError(run: () => unknown): ScopeError {
  try {
    run();
  } catch (error) {
    if (error instanceof ScopeError) return error;
    throw error;
  }
  throw new Error('expected a ScopeError, but nothing was thrown');
}
