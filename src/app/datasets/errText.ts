/** The message of anything thrown, never empty. */
export const errText = (e: unknown) => (e instanceof Error ? e.message : String(e)) || 'unknown error';
