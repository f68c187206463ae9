// Test stores: each test opens fresh, uniquely named databases (fake-indexeddb) that are closed and
// deleted after it; `raw` reads records through a second, short-lived connection (refs, chunk keys).
import { afterEach } from 'vitest';
import { openDatabase } from '../../../src/store/db';
import { deleteStore, openStore, type Store, type StoreHooks } from '../../../src/store/index';

/** Call at a test file's top level: registers the cleanup and returns the helpers. */
export function freshStores(prefix: string) {
  const opened: Store[] = [];
  afterEach(async () => {
    for (const s of opened.splice(0)) {
      s.close();
      await deleteStore(s.name);
    }
  });
  return {
    /** Open (creating) a store, deleted after the test; `name` to open a database written beforehand. */
    async fresh(hooks?: StoreHooks, name = `${prefix}-${crypto.randomUUID()}`): Promise<Store> {
      const s = await openStore(name, { hooks });
      opened.push(s);
      return s;
    },
  };
}

/** Raw records through a second, short-lived connection. */
export async function raw<T>(name: string, fn: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>): Promise<T> {
  const db = await openDatabase(name);
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}
