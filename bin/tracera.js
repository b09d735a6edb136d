#!/usr/bin/env node
// Runs the TypeScript sources directly (through tsx), so `npm start` needs no
// build step; production images run the compiled `dist/main.js` instead.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
