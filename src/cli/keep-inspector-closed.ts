// Imported first by main.ts, before any other module is evaluated: without a SIGUSR1
// listener, Node answers SIGUSR1 by opening its inspector on 127.0.0.1:9229, through which
// any local process could run code inside teeinit and read every share, token and key.
// A listener replaces that default action (checked on Node 20 and 24). This one is
// installed for every command; `run` adds the signal table (src/run/signal-table.ts) and,
// on Node versions that have it, requires `node --disable-sigusr1`, which closes the short
// window before this module runs (src/preflight/inspector.ts).
process.on('SIGUSR1', () => undefined);
