// One argon2 worker thread. It lowers its own scheduling priority first: a
// hash may use any CPU the event loop leaves idle, but when both want a core
// the event loop wins, so a burst of logins slows logins, not every request.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { isMainThread, parentPort } from 'node:worker_threads';
import { hashSync, verifySync } from '@node-rs/argon2';
import {
  ARGON2_PARAMETERS,
  HASHING_NICE,
  type HashingJob,
  type HashingReply,
} from './argon2-parameters.js';

function lowerOwnPriority(): void {
  try {
    // On Linux, /proc/thread-self names this thread's id, and setpriority on it affects this thread only.
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
    setPriority(threadId, HASHING_NICE);
  } catch {
    // Elsewhere the worker runs at normal priority: slower requests under login bursts, nothing worse.
  }
}

function run(job: HashingJob): string | boolean {
  if (job.op === 'hash') return hashSync(job.password, ARGON2_PARAMETERS);
  try {
    return verifySync(job.hash, job.password);
  } catch {
    // A malformed stored hash must fail the login, not the server.
    return false;
  }
}

if (isMainThread)
  throw new Error('hashing-worker runs only as a worker thread (see hashing-pool.ts)');
lowerOwnPriority();
parentPort?.on('message', ({ id, job }: { id: number; job: HashingJob }) => {
  let reply: HashingReply;
  try {
    reply = { id, result: run(job) };
  } catch (error) {
    reply = { id, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort?.postMessage(reply);
});
