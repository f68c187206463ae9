// Import defaults the public API names (src/api.ts re-exports them), apart from importFiles.ts so
// that the API can expose them without loading the import path (codecs, OME) at start-up.

/** 'auto' imports a multi-page file as one volume above this many decoded bytes (256 MiB): a stack of that many images is unwieldy, one chunked volume is not. */
export const AUTO_VOLUME_BYTES = 256 * 1024 * 1024;

/** An import larger than this asks the browser to make storage persistent (`navigator.storage.persist()`). */
export const DEFAULT_PERSIST_THRESHOLD_BYTES = 50 * 1024 * 1024;
