// Password hashing off the event loop, in a few low-priority worker threads
// (see hashing-worker.ts): at most one per core but one, so the event loop
// always keeps a core, and a burst of logins queues here instead of holding
// 19 MiB per request. Workers start on first use and do not keep an idle
// process alive.
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { HashingJob, HashingReply } from './argon2-parameters.js';

interface Pending {
  readonly job: HashingJob;
  readonly resolve: (result: string | boolean) => void;
  readonly reject: (error: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  busy: { readonly id: number; readonly pending: Pending } | null;
}

const ownExtension = extname(fileURLToPath(import.meta.url));
const workerFile = new URL(`./hashing-worker${ownExtension}`, import.meta.url);

/** The ES module build of tsx's API, found through tsx's own export map. */
function tsxApiUrl(): string {
  const require = createRequire(import.meta.url);
  const manifest = require('tsx/package.json') as {
    exports: Record<string, { import: { default: string } }>;
  };
  const entry = manifest.exports['./esm/api']?.import.default ?? './dist/esm/api/index.mjs';
  return pathToFileURL(join(dirname(require.resolve('tsx/package.json')), entry)).href;
}

function startWorker(): Worker {
  if (ownExtension !== '.ts') return new Worker(workerFile);
  // Running from sources through tsx (npm start, tests): the worker needs tsx's loader as well.
  const tsx = tsxApiUrl();
  const boot = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(workerFile.href)}); });`;
  return new Worker(boot, { eval: true });
}

/** Hashing threads per process: one per core but one, so the event loop always keeps a core. */
export const HASHING_THREADS = Math.max(1, availableParallelism() - 1);

export function createHashingPool(size = HASHING_THREADS) {
  const slots: Slot[] = [];
  const queue: Pending[] = [];
  let nextId = 0;

  function dispatch(slot: Slot): void {
    const pending = queue.shift();
    if (!pending) {
      slot.busy = null;
      slot.worker.unref();
      return;
    }
    nextId += 1;
    slot.busy = { id: nextId, pending };
    slot.worker.ref();
    slot.worker.postMessage({ id: nextId, job: pending.job });
  }

  function addSlot(): Slot {
    const slot: Slot = { worker: startWorker(), busy: null };
    slot.worker.on('message', (reply: HashingReply) => {
      const busy = slot.busy;
      if (!busy || busy.id !== reply.id) return;
      if ('error' in reply)
        busy.pending.reject(new Error(`password hashing failed: ${reply.error}`));
      else busy.pending.resolve(reply.result);
      dispatch(slot);
    });
    // A worker that dies takes its job with it; the next job gets a fresh worker.
    slot.worker.on('error', (error) => {
      slots.splice(slots.indexOf(slot), 1);
      slot.busy?.pending.reject(error);
      if (queue.length > 0) dispatch(addSlot());
    });
    slots.push(slot);
    return slot;
  }

  return {
    run(job: HashingJob): Promise<string | boolean> {
      return new Promise((resolve, reject) => {
        queue.push({ job, resolve, reject });
        const idle = slots.find((slot) => slot.busy === null);
        if (idle) dispatch(idle);
        else if (slots.length < size) dispatch(addSlot());
      });
    },
  };
}

export type HashingPool = ReturnType<typeof createHashingPool>;
