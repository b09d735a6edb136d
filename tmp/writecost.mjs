import net from 'node:net';
const N = 5000;
const server = net.createServer();
const accepted = [];
server.on('connection', (s) => { s.setNoDelay(true); accepted.push(s); });
await new Promise(r => server.listen(0, '127.0.0.1', r));
const port = server.address().port;
const clients = [];
for (let i = 0; i < N; i += 500) {
  await Promise.all(Array.from({length: 500}, () => new Promise(r => { const c = net.connect(port, '127.0.0.1', () => r()); c.on('data', () => {}); clients.push(c); })));
}
while (accepted.length < N) await new Promise(r => setTimeout(r, 10));
const buf = Buffer.alloc(2600, 'x');
for (let round = 0; round < 5; round++) {
  const t0 = process.hrtime.bigint();
  for (const s of accepted) s.write(buf);
  const t1 = process.hrtime.bigint();
  console.log('per write us', Number(t1 - t0) / 1000 / N);
  await new Promise(r => setTimeout(r, 500));
}
process.exit(0);
