// `npm install` (postinstall) and `npm run build:web`: builds the web app into
// web/dist unless it is already current; `--force` builds it anyway.
import { buildWebApp, ensureWebBuild } from '../src/cli/web-build.js';

if (process.argv.includes('--force')) await buildWebApp();
else await ensureWebBuild();
