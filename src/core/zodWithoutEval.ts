// Zod without its eval-compiled fast path, for code that runs under a CSP without 'unsafe-eval' (the
// sandbox runtime of third-party bundles, docs/security.md). Zod builds each object schema's fast
// parser with `new Function` unless `jitless` is set, probing first with `Function('')`; that probe is
// refused there, and Firefox reports each refusal as a CSP violation on the page's console. Import
// this module FIRST (before any module that defines a schema): the choice is made as schemas are built.
import { config } from 'zod';

config({ jitless: true });
