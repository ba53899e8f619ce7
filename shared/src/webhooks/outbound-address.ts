/**
 * Which addresses outbound webhook requests may reach. Endpoints are registered by users, so an
 * endpoint URL must not be able to make the server call into its own network (SSRF): loopback,
 * private, link-local (cloud metadata at 169.254.169.254), carrier-grade NAT, unique-local,
 * multicast and reserved ranges are refused unless allow-listed in configuration.
 *
 * The check runs inside the socket's DNS lookup (`guardedLookup`), on the address actually
 * connected to, so a name that resolves to a public address when registered and to a private one
 * at delivery time (DNS rebinding) is still refused.
 */
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';

const REFUSED_V4: readonly [string, number][] = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata services
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];
const REFUSED_V6: readonly [string, number][] = [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard-only
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique-local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
];

function refusedRanges(): BlockList {
  const list = new BlockList();
  for (const [net, prefix] of REFUSED_V4) list.addSubnet(net, prefix, 'ipv4');
  for (const [net, prefix] of REFUSED_V6) list.addSubnet(net, prefix, 'ipv6');
  return list;
}

export class OutboundAddressError extends Error {
  readonly code = 'ERR_OUTBOUND_ADDRESS_REFUSED';
  constructor(readonly host: string, readonly address: string) {
    super(`webhook endpoint ${host} resolves to ${address}, a private, loopback or reserved address; allow-list it to deliver there`);
    this.name = 'OutboundAddressError';
  }
}

export interface OutboundPolicy {
  /** Addresses or CIDR ranges ("10.1.2.3", "10.0.0.0/8", "fd00::/8") that may be reached anyway. */
  allow?: readonly string[];
}

/** Parses an allow-list entry; throws naming the entry when it is not an address or CIDR range. */
function addAllowed(list: BlockList, entry: string): void {
  const [address, prefixText] = entry.trim().split('/', 2) as [string, string | undefined];
  const family = isIP(address);
  if (family === 0) throw new Error(`outbound allow-list entry "${entry}" is not an IP address or CIDR range`);
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (prefixText === undefined) {
    list.addAddress(address, type);
    return;
  }
  const prefix = Number(prefixText);
  if (!/^\d+$/.test(prefixText) || prefix > (family === 4 ? 32 : 128)) throw new Error(`outbound allow-list entry "${entry}" has a bad prefix length`);
  list.addSubnet(address, prefix, type);
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (::ffff:a.b.c.d), else null. */
function mappedV4(address: string): string | null {
  const match = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return match ? match[1]! : null;
}

export interface AddressCheck {
  /** True when `address` (a literal IPv4 or IPv6 address) may be connected to. */
  allowed(address: string): boolean;
}

export function outboundAddressCheck(policy: OutboundPolicy = {}): AddressCheck {
  const refused = refusedRanges();
  const allowed = new BlockList();
  for (const entry of policy.allow ?? []) addAllowed(allowed, entry);
  return {
    allowed(address: string): boolean {
      const v4 = mappedV4(address);
      const [addr, type] = v4 !== null ? [v4, 'ipv4' as const] : [address, isIP(address) === 4 ? ('ipv4' as const) : ('ipv6' as const)];
      if (isIP(addr) === 0) return false;
      if (allowed.check(addr, type)) return true;
      return !refused.check(addr, type);
    },
  };
}

/**
 * A `lookup` for http(s).request / undici that resolves as usual and then refuses any address the
 * policy does not allow, failing the request with OutboundAddressError before a byte is sent.
 */
export function guardedLookup(policy: OutboundPolicy = {}): LookupFunction {
  const check = outboundAddressCheck(policy);
  return ((hostname: string, options: object, callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as LookupAddress[];
      const bad = list.find((a) => !check.allowed(a.address));
      if (bad) return callback(new OutboundAddressError(hostname, bad.address), '', 0);
      if ((options as { all?: boolean }).all) return callback(null, list);
      const first = list[0];
      if (!first) return callback(new Error(`no address for ${hostname}`), '', 0);
      callback(null, first.address, first.family);
    });
  }) as LookupFunction;
}
