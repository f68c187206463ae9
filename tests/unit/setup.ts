// Vitest setup: an in-memory IndexedDB for the store tests (Node has none).
import 'fake-indexeddb/auto';
