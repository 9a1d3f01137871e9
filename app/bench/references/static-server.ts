// Reference for the light endpoints: a bare node:http server that answers every request with one static
// JSON body (the app's own JWKS bytes, passed in by run.ts), in its own process. No framework, no
// logging, no metrics: the ceiling for a JSON GET on this machine, against which the bench reads
// `GET /healthz` and the JWKS as ratios.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const body = Buffer.from(process.env.BENCH_STATIC_BODY ?? '{"status":"ok"}');
const headers = { 'content-type': 'application/json; charset=utf-8', 'content-length': String(body.length) };

const server = createServer((_request, response) => {
  response.writeHead(200, headers).end(body);
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
process.on('disconnect', () => process.exit(0));
