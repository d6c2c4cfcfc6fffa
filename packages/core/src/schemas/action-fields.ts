/**
 * Which body fields each action takes. An action given a field it does not take is refused
 * with VALIDATION_FAILED naming the field, never silently ignored.
 *
 * @module
 */
import type { Action } from '../vocabulary.js';

/** The fields of `ActionBodySchema` every action takes. */
const COMMON = ['reason', 'confirm'] as const;

/** The body fields an action takes, by action. */
export const ACTION_FIELDS: Readonly<Record<Action, readonly string[]>> = {
  deploy: COMMON,
  start: COMMON,
  stop: COMMON,
  restart: COMMON,
  redeploy: COMMON,
  recreate: [...COMMON, 'size'],
  update: [...COMMON, 'image', 'config', 'release'],
  rollback: [...COMMON, 'revision'],
  reprovision: COMMON,
  pause: COMMON,
  resume: COMMON,
  disable: COMMON,
  enable: COMMON,
  destroy: COMMON,
};
