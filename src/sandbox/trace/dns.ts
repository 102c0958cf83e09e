/** The question of a DNS query (RFC 1035 §4.1): what a process asked its resolver, read from the bytes it sent. */

const queryTypes: Readonly<Record<number, string>> = { 1: 'A', 2: 'NS', 5: 'CNAME', 12: 'PTR', 15: 'MX', 16: 'TXT', 28: 'AAAA', 33: 'SRV', 65: 'HTTPS', 255: 'ANY' };

export interface DnsQuestion {
  name: string;
  type: string;
}

/**
 * The first question of a DNS query message, or undefined when `bytes` is not one (a response, no question, a
 * compressed or malformed name). Over TCP the message has a two-byte length in front (`tcp`).
 */
export function parseDnsQuery(bytes: Buffer, tcp = false): DnsQuestion | undefined {
  const msg = tcp ? bytes.subarray(2) : bytes;
  if (msg.length < 17) return undefined;
  const flags = msg.readUInt16BE(2);
  if ((flags & 0x8000) !== 0 || ((flags >> 11) & 0xf) !== 0) return undefined; // a response, or not a standard query
  if (msg.readUInt16BE(4) === 0) return undefined;
  const labels: string[] = [];
  let at = 12;
  for (;;) {
    const length = msg[at];
    if (length === undefined || length > 63) return undefined;
    if (length === 0) break;
    if (at + 1 + length > msg.length) return undefined;
    labels.push(msg.subarray(at + 1, at + 1 + length).toString('latin1'));
    at += 1 + length;
  }
  if (labels.length === 0 || at + 3 > msg.length) return undefined;
  const code = msg.readUInt16BE(at + 1);
  return { name: labels.join('.'), type: queryTypes[code] ?? `TYPE${code}` };
}
