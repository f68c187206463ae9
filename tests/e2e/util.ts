// Shared by the end-to-end specs.
import { expect, type Page } from '@playwright/test';

/** Open the app, wait for the engine, and collect console errors and page errors. */
export async function openApp(page: Page, path = '/'): Promise<string[]> {
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(path);
  await page.waitForFunction(() => (window as unknown as { algobox?: unknown }).algobox !== undefined);
  await page.evaluate(() => window.algobox.ready);
  await expect(page.getByTestId('engine-ready')).toBeVisible();
  return problems;
}

/** SHA-256 of every dataset's fields (dtype, shape and bytes of arrays; strings; lists), by id. */
export async function datasetHashes(page: Page): Promise<Record<string, string>> {
  return page.evaluate(hashAllDatasets);
}

export async function hashAllDatasets(): Promise<Record<string, string>> {
  const api = window.algobox;
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  const walk = (v: unknown): void => {
    if (v && typeof v === 'object' && 'data' in v && ArrayBuffer.isView((v as { data: unknown }).data)) {
      const a = v as { dtype: string; shape: number[]; data: ArrayBufferView };
      parts.push(enc.encode(`${a.dtype}[${a.shape.join(',')}]`), new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength));
    } else if (Array.isArray(v)) {
      parts.push(enc.encode('['));
      v.forEach(walk);
      parts.push(enc.encode(']'));
    } else parts.push(enc.encode(JSON.stringify(v) ?? 'undefined'));
  };
  const out: Record<string, string> = {};
  for (const meta of await api.datasets.list()) {
    const d = await api.datasets.get(meta.id);
    parts.length = 0;
    for (const k of Object.keys(d.fields).sort()) {
      parts.push(enc.encode(`${k}=`));
      walk(d.fields[k]);
    }
    const all = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
    let o = 0;
    for (const p of parts) {
      all.set(p, o);
      o += p.byteLength;
    }
    out[meta.id] = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', all)), (b) => b.toString(16).padStart(2, '0')).join('');
  }
  return out;
}

/** Drop `files` on the page as a person drags them from a file manager (paths relative to a dropped folder). */
export async function dropFiles(page: Page, files: { path: string; bytes: Uint8Array }[]) {
  await page.evaluate(
    (list) => {
      const dt = new DataTransfer();
      for (const f of list) {
        const file = new File([new Uint8Array(f.bytes)], f.path.split('/').pop()!);
        Object.defineProperty(file, 'webkitRelativePath', { value: f.path });
        dt.items.add(file);
      }
      for (const type of ['dragenter', 'dragover', 'drop'])
        document.body.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
    },
    files.map((f) => ({ path: f.path, bytes: Array.from(f.bytes) })),
  );
}

/**
 * Close every import report, as a person would (they sit over the Runs list). A report may close itself
 * meanwhile (they do after a while), so each click is given a short time and a vanished one is fine.
 */
export async function closeImportReports(page: Page): Promise<void> {
  const close = page.getByRole('button', { name: 'Close this report' });
  for (let i = 0; i < 20 && (await close.count()) > 0; i++) {
    await close
      .first()
      .click({ timeout: 3000 })
      .catch(() => undefined);
  }
  await expect(close).toHaveCount(0);
}

/** Reload (the list shows what the API stored) and open dataset `id` from the datasets list; its row. */
export async function openFromList(page: Page, id: string) {
  await page.reload();
  await page.evaluate(() => window.algobox.ready);
  const row = page.locator(`[data-testid="dataset-row"][data-row-id="${id}"]`);
  await row.scrollIntoViewIfNeeded();
  await row.click();
  return row;
}

/** Delete every stack and dataset (the sample data made on first start too) and reload: the lists are empty. */
export async function emptyTheLists(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const api = window.algobox;
    for (const s of await api.stacks.list()) await api.stacks.delete(s.id);
    const ids = (await api.datasets.list()).map((m) => m.id);
    if (ids.length) await api.datasets.delete(ids);
  });
  await page.reload();
  await page.evaluate(() => window.algobox.ready);
}
