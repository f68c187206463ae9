import { thrownMessage } from '../../core/describeValue';

/** The message of anything thrown, never empty. */
export const errText = (e: unknown): string => thrownMessage(e) || 'unknown error';
