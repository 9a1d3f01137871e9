import test from 'ava';
import { normalizeIp, resolveClientIp } from '../../src/http/client-ip.ts';

const SOCKET = '10.0.0.9';

const cases: Array<[string, string | string[] | undefined, number, string]> = [
  ['no header uses the socket address', undefined, 1, SOCKET],
  ['zero hops ignores the header entirely', '203.0.113.7', 0, SOCKET],
  ['one hop takes the rightmost entry', '203.0.113.7', 1, '203.0.113.7'],
  ['a spoofed leftmost value is ignored with one hop', '6.6.6.6, 203.0.113.7', 1, '203.0.113.7'],
  ['two hops take the second entry from the right', '6.6.6.6, 203.0.113.7, 10.1.1.1', 2, '203.0.113.7'],
  ['repeated headers are read as one list', ['6.6.6.6', '203.0.113.7'], 1, '203.0.113.7'],
  ['fewer entries than hops falls back to the socket', '203.0.113.7', 2, SOCKET],
  ['garbage at the trusted position falls back to the socket', '6.6.6.6, not-an-ip', 1, SOCKET],
  ['an entry with a port is not an IP', '203.0.113.7:4711', 1, SOCKET],
  ['an empty header falls back to the socket', '', 1, SOCKET],
  ['IPv6 is accepted and lower-cased', '2001:DB8::1', 1, '2001:db8::1'],
  ['IPv4-mapped IPv6 becomes IPv4', '::ffff:203.0.113.7', 1, '203.0.113.7'],
];

for (const [title, header, hops, expected] of cases) {
  test(title, (t) => {
    t.is(resolveClientIp(header, SOCKET, hops), expected);
  });
}

test('the socket address is normalized too, and a missing one is "unknown"', (t) => {
  t.is(resolveClientIp(undefined, '::ffff:127.0.0.1', 1), '127.0.0.1');
  t.is(resolveClientIp(undefined, undefined, 1), 'unknown');
});

test('no spoofed leftmost value can change the result', (t) => {
  const spoofs = ['1.1.1.1', '127.0.0.1', '::1', 'x', '999.1.1.1', '1.1.1.1, 2.2.2.2'];
  for (const spoof of spoofs) t.is(resolveClientIp(`${spoof}, 198.51.100.4`, SOCKET, 1), '198.51.100.4');
});

test('normalizeIp rejects anything node:net does not call an IP', (t) => {
  t.is(normalizeIp('1.2.3'), undefined);
  t.is(normalizeIp(' 1.2.3.4 '), '1.2.3.4');
});

test('a negative or fractional hop count is a TypeError', (t) => {
  t.throws(() => resolveClientIp(undefined, SOCKET, -1), { instanceOf: TypeError });
  t.throws(() => resolveClientIp(undefined, SOCKET, 1.5), { instanceOf: TypeError });
});
