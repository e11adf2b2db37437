/**
 * Which IP addresses Clearance may send a request to (webhooks, the
 * reporter): only addresses on the public internet. A URL someone registers
 * must not reach Clearance's own host, its private network or a cloud's
 * metadata service (169.254.169.254) on their behalf. Pure: no DNS, no
 * sockets; app/utils/outbound-url.server.ts resolves names and applies it.
 *
 * Sources: IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890),
 * RFC 1918 (private), RFC 6598 (shared address space, CGNAT), RFC 3927
 * (IPv4 link-local), RFC 4193 (unique local IPv6), RFC 4291 (IPv6 addressing,
 * IPv4-mapped addresses), RFC 6052 (NAT64), RFC 3056 (6to4).
 */

export type AddressKind =
	'public' | 'private' | 'loopback' | 'link-local' | 'cgnat' | 'multicast' | 'unspecified' | 'reserved' | 'invalid'

/** Why an address kind is refused, in words, for a form message or a delivery log. */
export const ADDRESS_KIND_WORDS: Record<Exclude<AddressKind, 'public'>, string> = {
	private: 'a private network address',
	loopback: 'this machine (a loopback address)',
	'link-local': 'a link-local address (such as a cloud metadata service)',
	cgnat: 'a carrier-grade NAT address',
	multicast: 'a multicast address',
	unspecified: 'an unspecified address',
	reserved: 'a reserved address that is not on the public internet',
	invalid: 'something that is not an IP address',
}

/** Dotted IPv4 (four decimal parts, no leading zeros beyond a single 0) → 32-bit number; null otherwise. */
export function parseIPv4(text: string): number | null {
	const parts = text.split('.')
	if (parts.length !== 4) return null
	let value = 0
	for (const part of parts) {
		if (!/^(0|[1-9]\d{0,2})$/.test(part)) return null
		const byte = Number(part)
		if (byte > 255) return null
		value = value * 256 + byte
	}
	return value
}

/** IPv6 text (with `::`, an embedded IPv4 tail, a `%zone`, or in brackets) → eight 16-bit groups; null otherwise. */
export function parseIPv6(text: string): number[] | null {
	let value = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text
	const zone = value.indexOf('%')
	if (zone !== -1) value = value.slice(0, zone)
	if (value === '' || !/^[0-9a-fA-F:.]+$/.test(value)) return null
	// An IPv4 tail (::ffff:192.0.2.1) stands for the last two groups.
	let tail: number[] = []
	const lastColon = value.lastIndexOf(':')
	if (value.includes('.')) {
		const v4 = parseIPv4(value.slice(lastColon + 1))
		if (v4 === null || lastColon === -1) return null
		tail = [Math.floor(v4 / 65536), v4 % 65536]
		value = value.slice(0, lastColon + 1)
		// "::1.2.3.4" leaves "::", "64:ff9b::1.2.3.4" leaves "64:ff9b::", "::ffff:1.2.3.4" leaves "::ffff:".
		if (value.endsWith(':') && !value.endsWith('::')) value = value.slice(0, -1)
	}
	const halves = value.split('::')
	if (halves.length > 2) return null
	const groups = (half: string) => (half === '' ? [] : half.split(':'))
	const head = groups(halves[0]!)
	const rest = halves.length === 2 ? groups(halves[1]!) : []
	const all = [...head, ...rest]
	if (all.some((group) => !/^[0-9a-fA-F]{1,4}$/.test(group))) return null
	const given = all.length + tail.length
	if (halves.length === 1 && given !== 8) return null
	if (halves.length === 2 && given > 7) return null
	const zeros = new Array<number>(8 - given).fill(0)
	const parse = (list: string[]) => list.map((group) => parseInt(group, 16))
	return halves.length === 2 ? [...parse(head), ...zeros, ...parse(rest), ...tail] : [...parse(head), ...tail]
}

const inV4 = (address: number, base: string, bits: number) => {
	const start = parseIPv4(base)!
	const size = 2 ** (32 - bits)
	return address >= start && address < start + size
}

/** IPv4 ranges that are not the public internet, most specific first. */
const V4_RANGES: [string, number, Exclude<AddressKind, 'public' | 'invalid'>][] = [
	['0.0.0.0', 8, 'unspecified'],
	['10.0.0.0', 8, 'private'],
	['100.64.0.0', 10, 'cgnat'],
	['127.0.0.0', 8, 'loopback'],
	['169.254.0.0', 16, 'link-local'],
	['172.16.0.0', 12, 'private'],
	['192.0.0.0', 24, 'reserved'],
	['192.0.2.0', 24, 'reserved'],
	['192.88.99.0', 24, 'reserved'],
	['192.168.0.0', 16, 'private'],
	['198.18.0.0', 15, 'reserved'],
	['198.51.100.0', 24, 'reserved'],
	['203.0.113.0', 24, 'reserved'],
	['224.0.0.0', 4, 'multicast'],
	['240.0.0.0', 4, 'reserved'],
]

function classifyV4(address: number): AddressKind {
	for (const [base, bits, kind] of V4_RANGES) if (inV4(address, base, bits)) return kind
	return 'public'
}

function classifyV6(groups: number[]): AddressKind {
	const [g0, g1, g2, g3, g4, g5, g6, g7] = groups as [number, number, number, number, number, number, number, number]
	const embedded = g6 * 65536 + g7
	const firstFiveZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0
	if (firstFiveZero && g5 === 0) {
		if (g6 === 0 && g7 === 0) return 'unspecified'
		if (g6 === 0 && g7 === 1) return 'loopback'
		// ::a.b.c.d, the deprecated IPv4-compatible form: judged as the IPv4 address.
		return classifyV4(embedded)
	}
	// ::ffff:a.b.c.d (IPv4-mapped) and ::ffff:0:a.b.c.d (IPv4-translated): the IPv4 address decides.
	if (firstFiveZero && g5 === 0xffff) return classifyV4(embedded)
	if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0xffff && g5 === 0) return classifyV4(embedded)
	// 64:ff9b::/96, the well-known NAT64 prefix, and 64:ff9b:1::/48 (local NAT64): the IPv4 address decides, local ones are private.
	if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return classifyV4(embedded)
	if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return 'private'
	// 2002::/16, 6to4: the IPv4 address in groups 1 and 2 decides.
	if (g0 === 0x2002) return classifyV4(g1 * 65536 + g2)
	if ((g0 & 0xff00) === 0xff00) return 'multicast'
	if ((g0 & 0xffc0) === 0xfe80) return 'link-local'
	// fec0::/10, the deprecated site-local addresses, and fc00::/7, unique local addresses.
	if ((g0 & 0xffc0) === 0xfec0 || (g0 & 0xfe00) === 0xfc00) return 'private'
	// 100::/64 (discard), 2001::/32 (Teredo, hides an IPv4 address), 2001:db8::/32 (documentation), 3fff::/20 (documentation).
	if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return 'reserved'
	if (g0 === 0x2001 && (g1 === 0 || g1 === 0xdb8)) return 'reserved'
	if (g0 === 0x3fff && g1 < 0x1000) return 'reserved'
	// Outside 2000::/3, nothing is allocated as global unicast.
	if ((g0 & 0xe000) !== 0x2000) return 'reserved'
	return 'public'
}

/** What kind of address this is: `public` is the only kind Clearance sends to by default. */
export function classifyAddress(address: string): AddressKind {
	const v4 = parseIPv4(address)
	if (v4 !== null) return classifyV4(v4)
	const v6 = parseIPv6(address)
	if (v6 !== null) return classifyV6(v6)
	return 'invalid'
}

/** A URL's hostname as an IP address when it is one (`[::1]` → `::1`), else null (a name to resolve). */
export function hostnameAsAddress(hostname: string): string | null {
	if (parseIPv4(hostname) !== null) return hostname
	if (hostname.startsWith('[') && hostname.endsWith(']')) {
		const inner = hostname.slice(1, -1)
		return parseIPv6(inner) ? inner : null
	}
	return parseIPv6(hostname) ? hostname : null
}
