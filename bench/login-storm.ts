// A separate process for bench/auth: N clients signing in back to back until
// SIGTERM. It prints `ready` once every client has signed in once, and the
// number of logins when it stops. It runs apart from the
// process that measures latency, so the clients' own work cannot show up
// as server latency.
import { Visitor } from './visitor.js';

const [origin = '', clientsText = '16', email = '', password = ''] = process.argv.slice(2);
let running = true;
let logins = 0;

process.on('SIGTERM', () => {
  running = false;
});

let started = 0;
const count = Number(clientsText);
const clients = Array.from({ length: count }, async () => {
  const visitor = new Visitor(origin);
  await visitor.call('GET', '/api/v1/auth/csrf');
  await visitor.call('POST', '/api/v1/auth/login', { email, password });
  started += 1;
  if (started === count) process.stdout.write('ready\n');
  while (running) {
    await visitor.call('POST', '/api/v1/auth/login', { email, password });
    // Back to the pre-session binding, as a fresh browser would be.
    await visitor.call('GET', '/api/v1/auth/csrf');
    logins += 1;
  }
});
await Promise.all(clients);
process.stdout.write(`${logins}\n`);
