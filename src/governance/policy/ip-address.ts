/**
 * IPv4 and IPv6 addresses and CIDR ranges for the `IpAddress` / `NotIpAddress` operators. Pure.
 *
 * A policy value is `203.0.113.0/24` or `2001:DB8:1234:5678::/64`; without a prefix it is one
 * address (/32 or /128). A request address that is IPv4-mapped IPv6 (`::ffff:203.0.113.7`, which
 * Node reports for IPv4 clients of a dual-stack socket) is tested as the IPv4 address it carries.
 * Hand-written rather than `node:net`'s `BlockList`, whose `check` costs about 2.4 µs a call on
 * these machines, more than a whole policy evaluation.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IPAddress
 */

/** An address: IPv4 as one 32-bit word, IPv6 as four. */
interface Address {
  readonly v6: boolean;
  readonly words: readonly number[];
}

export interface IpRange extends Address {
  /** Prefix length in bits. */
  readonly bits: number;
}

function parseV4(s: string): number | undefined {
  let n = 0;
  let parts = 0;
  let i = 0;
  while (i <= s.length) {
    let v = 0;
    let digits = 0;
    while (i < s.length) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      v = v * 10 + c;
      digits++;
      i++;
    }
    if (digits === 0 || digits > 3 || v > 255) return undefined;
    n = n * 256 + v;
    parts++;
    if (i === s.length) break;
    if (s.charCodeAt(i) !== 46 || parts === 4) return undefined; // '.'
    i++;
  }
  return parts === 4 ? n : undefined;
}

function parseV6(s: string): number[] | undefined {
  const zone = s.indexOf('%');
  const text = zone >= 0 ? s.slice(0, zone) : s;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    const parts = h.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseV4(p);
        if (v4 === undefined) return undefined;
        out.push(v4 >>> 16, v4 & 0xffff);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined;
        out.push(Number.parseInt(p, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const g = [...head, ...new Array<number>(missing).fill(0), ...tail];
  return [0, 1, 2, 3].map((i) => ((g[2 * i]! << 16) | g[2 * i + 1]!) >>> 0);
}

/** Parses an address; an IPv4-mapped IPv6 address comes back as IPv4. */
export function parseIp(s: string): Address | undefined {
  if (!s.includes(':')) {
    const v4 = parseV4(s);
    return v4 === undefined ? undefined : { v6: false, words: [v4] };
  }
  const w = parseV6(s);
  if (w === undefined) return undefined;
  if (w[0] === 0 && w[1] === 0 && w[2] === 0xffff) return { v6: false, words: [w[3]!] };
  return { v6: true, words: w };
}

/** Parses `address[/bits]`, or `undefined` when it is not a valid range. */
export function parseCidr(s: string): IpRange | undefined {
  const slash = s.indexOf('/');
  const addr = parseIp((slash < 0 ? s : s.slice(0, slash)).trim());
  if (addr === undefined) return undefined;
  const max = addr.v6 ? 128 : 32;
  if (slash < 0) return { ...addr, bits: max };
  const text = s.slice(slash + 1).trim();
  if (!/^\d{1,3}$/.test(text)) return undefined;
  const bits = Number(text);
  return bits > max ? undefined : { ...addr, bits };
}

/** Whether the address lies in the range. */
export function inRange(ip: Address, range: IpRange): boolean {
  if (ip.v6 !== range.v6) return false;
  let bits = range.bits;
  for (let i = 0; i < range.words.length && bits > 0; i++, bits -= 32) {
    const mask = bits >= 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
    if ((ip.words[i]! & mask) >>> 0 !== (range.words[i]! & mask) >>> 0) return false;
  }
  return true;
}
