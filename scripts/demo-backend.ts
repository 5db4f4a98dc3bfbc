// The demo's stand-in backend when redis-server is not installed: a plaintext TCP server
// on loopback that answers each `PING` line with `+PONG` like redis does.
import { createServer } from 'node:net';

const port = Number(process.argv[2]);
const server = createServer((socket) => {
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      socket.write(line.toUpperCase() === 'PING' ? '+PONG\r\n' : `-ERR unknown command\r\n`);
    }
  });
  socket.on('error', () => socket.destroy());
});
server.listen(port, '127.0.0.1', () => process.stdout.write(`backend listening on ${port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
