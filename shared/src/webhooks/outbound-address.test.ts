import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardedLookup, outboundAddressCheck, OutboundAddressError } from './outbound-address.js';

describe('outboundAddressCheck', () => {
  const check = outboundAddressCheck();

  it('refuses loopback, private, link-local, CGNAT, unique-local, multicast and mapped forms of them', () => {
    for (const address of ['127.0.0.1', '127.8.9.10', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'fd12:3456::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1']) {
      expect(check.allowed(address), address).toBe(false);
    }
  });

  it('lets public addresses through, including ones next to the refused ranges', () => {
    for (const address of ['8.8.8.8', '1.1.1.1', '172.15.255.255', '172.32.0.0', '100.63.255.255', '100.128.0.0', '2400:3200::1', '::ffff:8.8.4.4']) {
      expect(check.allowed(address), address).toBe(true);
    }
  });

  it('refuses anything that is not an IP address', () => {
    expect(check.allowed('localhost')).toBe(false);
    expect(check.allowed('')).toBe(false);
  });

  it('honours allow-listed addresses and ranges, and names a bad entry', () => {
    const allowing = outboundAddressCheck({ allow: ['127.0.0.1', '10.20.0.0/16', 'fd00::/8'] });
    expect(allowing.allowed('127.0.0.1')).toBe(true);
    expect(allowing.allowed('127.0.0.2')).toBe(false);
    expect(allowing.allowed('10.20.30.40')).toBe(true);
    expect(allowing.allowed('10.21.0.1')).toBe(false);
    expect(allowing.allowed('fd00::5')).toBe(true);
    expect(() => outboundAddressCheck({ allow: ['intranet.example'] })).toThrow(/"intranet.example"/);
    expect(() => outboundAddressCheck({ allow: ['10.0.0.0/40'] })).toThrow(/prefix length/);
  });
});

describe('guardedLookup on a real HTTP request', () => {
  let server: Server;
  let port: number;
  let hits = 0;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      hits++;
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const get = (lookup: ReturnType<typeof guardedLookup>) =>
    new Promise<string>((resolve, reject) => {
      const req = request({ host: 'localhost', port, path: '/', lookup, family: 4 }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve(body));
      });
      req.on('error', reject);
      req.end();
    });

  it('fails a request to a name that resolves to loopback before it reaches the server', async () => {
    const before = hits;
    await expect(get(guardedLookup())).rejects.toBeInstanceOf(OutboundAddressError);
    expect(hits).toBe(before);
  });

  it('delivers when the loopback address is allow-listed', async () => {
    expect(await get(guardedLookup({ allow: ['127.0.0.1'] }))).toBe('ok');
  });
});
