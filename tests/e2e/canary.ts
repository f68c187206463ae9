// Canaries for the sandbox attack tests: a Node HTTP server on its own port (as permissive as can be,
// so that whatever blocks a request is the sandbox, not CORS or CORP) and a route on the app's own
// origin (/canary/**). Both record every hit; a test asserts that nothing reached either.
import { test } from '@playwright/test';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Canaries {
  /** Requests that reached the Node server (this file's run). */
  readonly hits: string[];
  /** Requests that reached /canary/** on the app's origin (this test). */
  readonly routeHits: string[];
  port: number;
  appOrigin: string;
  urls(): { node: string; app: string; ws: string };
}

/** Register the canary server (per file) and route (per test); use the returned object in tests. */
export function useCanaries(): Canaries {
  let server: Server;
  const c: Canaries = {
    hits: [],
    routeHits: [],
    port: 0,
    appOrigin: '',
    urls: () => ({ node: `http://127.0.0.1:${c.port}/canary/x`, app: `${c.appOrigin}/canary/x`, ws: `ws://127.0.0.1:${c.port}/canary/ws` }),
  };
  test.beforeAll(async () => {
    server = createServer((req, res) => {
      c.hits.push(`${req.method} ${req.url}`);
      res.writeHead(200, {
        'Access-Control-Allow-Origin': '*',
        'Cross-Origin-Resource-Policy': 'cross-origin',
        'Content-Type': req.url?.endsWith('.js') ? 'text/javascript' : 'text/plain',
      });
      res.end(req.url?.endsWith('.js') ? 'self.leaked = 1; export const x = 1;' : 'canary');
    });
    server.on('upgrade', (req, socket) => {
      c.hits.push(`UPGRADE ${req.url}`);
      socket.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    c.port = (server.address() as AddressInfo).port;
  });
  test.afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });
  test.beforeEach(async ({ page, baseURL }) => {
    c.appOrigin = new URL(baseURL!).origin;
    c.routeHits.length = 0;
    c.hits.length = 0;
    await page.route('**/canary/**', (route) => {
      c.routeHits.push(route.request().url());
      return route.fulfill({ status: 200, body: 'canary', headers: { 'Access-Control-Allow-Origin': '*', 'Cross-Origin-Resource-Policy': 'cross-origin' } });
    });
  });
  return c;
}
