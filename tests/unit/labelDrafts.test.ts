// api.labelDrafts (issue 16): the label editor's unsaved tiles per target, replaced on put, kept across
// a reopened database (a new store on the same fake-indexeddb database).
import { afterEach, describe, expect, it } from 'vitest';
import { createAlgobox, type Algobox } from '../../src/api';
import { ndarray } from '../../src/core/ndarray';
import { openDatabase } from '../../src/store/db';
import { openStore, type Store } from '../../src/store/index';
import { freshStores, raw } from './helpers/freshStores';
import { inProcessWorkerFactory } from './helpers/inProcessWorkers';

const { fresh } = freshStores('drafts');
const apis: Algobox[] = [];
const extra: Store[] = [];
afterEach(async () => {
  for (const a of apis.splice(0)) await a.close();
  for (const s of extra.splice(0)) s.close();
});

function apiOn(store: Store): Algobox {
  const api = createAlgobox({ store, workerFactory: inProcessWorkerFactory(), storageManager: null });
  apis.push(api);
  return api;
}

const draft = (value: number, strokes: number) => ({
  tiles: [
    { origin: [2, 0, 256], data: ndarray('uint16', [1, 256, 256], new Uint16Array(65536).fill(value)) },
    { origin: [2, 256, 0], data: ndarray('uint16', [1, 2, 2], [1, 2, 3, value]) },
  ],
  strokes,
  updated: `2026-12-07T20:0${strokes}:00.000Z`,
  baseId: 'base-1',
  imageId: 'image-1',
  key: 'labels',
  shape: [8, 1024, 1024],
  dtype: 'uint16' as const,
});

describe('labelDrafts', () => {
  it('puts, gets equal, replaces per target, lists and deletes', async () => {
    const api = apiOn(await fresh());
    expect(await api.labelDrafts.get('base-1/labels')).toBeNull();
    await api.labelDrafts.put('base-1/labels', draft(7, 1));
    expect(await api.labelDrafts.get('base-1/labels')).toEqual(draft(7, 1));
    await api.labelDrafts.put('base-1/labels', draft(9, 3));
    expect(await api.labelDrafts.get('base-1/labels')).toEqual(draft(9, 3));
    await api.labelDrafts.put('other', { ...draft(1, 2), baseId: null, imageId: null });
    expect(await api.labelDrafts.list()).toEqual([
      {
        target: 'base-1/labels',
        tiles: 2,
        strokes: 3,
        updated: draft(9, 3).updated,
        baseId: 'base-1',
        imageId: 'image-1',
        key: 'labels',
        shape: [8, 1024, 1024],
        dtype: 'uint16',
      },
      {
        target: 'other',
        tiles: 2,
        strokes: 2,
        updated: draft(1, 2).updated,
        baseId: null,
        imageId: null,
        key: 'labels',
        shape: [8, 1024, 1024],
        dtype: 'uint16',
      },
    ]);
    await api.labelDrafts.delete('base-1/labels');
    expect(await api.labelDrafts.get('base-1/labels')).toBeNull();
    expect((await api.labelDrafts.list()).map((d) => d.target)).toEqual(['other']);
  });

  it('stores the tiles as ArrayBuffers of their bytes', async () => {
    const store = await fresh();
    await apiOn(store).labelDrafts.put('t', draft(5, 1));
    const rec = (await raw(store.name, (db) => db.get('labelDrafts', 't')))!;
    expect(rec.tiles[0]!.data).toBeInstanceOf(ArrayBuffer);
    expect(rec.tiles.map((t) => t.data.byteLength)).toEqual([256 * 256 * 2, 8]);
    expect(rec.tiles[1]).toMatchObject({ origin: [2, 256, 0], dtype: 'uint16', shape: [1, 2, 2] });
  });

  it('survives reopening the database', async () => {
    const store = await fresh();
    await apiOn(store).labelDrafts.put('base-1/labels', draft(4, 2));
    store.close();
    const again = await openStore(store.name);
    extra.push(again);
    expect(await apiOn(again).labelDrafts.get('base-1/labels')).toEqual(draft(4, 2));
  });

  it('is a store that version 8 adds to a version 7 database', async () => {
    const name = `drafts-v7-${crypto.randomUUID()}`;
    const v7 = await openDatabase(name, undefined, 7);
    expect([...v7.objectStoreNames]).not.toContain('labelDrafts');
    v7.close();
    const store = await fresh(undefined, name);
    expect(await raw(name, async (db) => [db.version, [...db.objectStoreNames].includes('labelDrafts')])).toEqual([8, true]);
    await apiOn(store).labelDrafts.put('t', draft(2, 1));
    expect(await apiOn(store).labelDrafts.get('t')).toEqual(draft(2, 1));
  });

  it('rejects a malformed draft naming the target and the value', async () => {
    const api = apiOn(await fresh());
    await expect(api.labelDrafts.put('t', { ...draft(1, 1), strokes: -1 })).rejects.toThrow("Label draft 't': strokes must be a non-negative integer, got -1.");
    await expect(api.labelDrafts.put('t', { ...draft(1, 1), dtype: 'uint12' as never })).rejects.toThrow(
      `Label draft 't': dtype must be an NDArray dtype, got "uint12".`,
    );
    await expect(api.labelDrafts.put('', draft(1, 1))).rejects.toThrow(`A label draft's target must be a non-empty string, got "".`);
    expect(await api.labelDrafts.list()).toEqual([]);
  });
});
