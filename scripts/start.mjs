// `npm start`: install what is missing, build, serve the app with COOP/COEP headers.
import { ensureNodeModules, prepareAssets, run } from './ensure.mjs';

ensureNodeModules();
prepareAssets();
if (run('npx', ['vite', 'build']) !== 0) process.exit(1);
const port = process.env.PORT ?? '4173';
console.log(`\nalgobox is served at http://127.0.0.1:${port}/  (Ctrl+C to stop)\n`);
process.exit(run('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', port, '--strictPort']));
