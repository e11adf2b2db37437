import { describe, expect, it } from 'vitest'
import { classifyAddress, hostnameAsAddress, parseIPv6 } from '~/domain/ip-addresses'
import { checkOutboundUrl } from '~/utils/outbound-url.server'

// Issue 13, outgoing webhooks: Clearance posts only to the public internet.

describe('which addresses Clearance sends to', () => {
	it.each([
		['93.184.215.14', 'public'],
		['8.8.8.8', 'public'],
		['172.32.0.1', 'public'],
		['100.128.0.1', 'public'],
		['0.0.0.0', 'unspecified'],
		['0.1.2.3', 'unspecified'],
		['10.1.2.3', 'private'],
		['172.16.0.1', 'private'],
		['172.31.255.255', 'private'],
		['192.168.1.1', 'private'],
		['127.0.0.1', 'loopback'],
		['127.255.255.254', 'loopback'],
		['169.254.169.254', 'link-local'],
		['100.64.0.1', 'cgnat'],
		['100.127.255.255', 'cgnat'],
		['224.0.0.1', 'multicast'],
		['239.255.255.250', 'multicast'],
		['255.255.255.255', 'reserved'],
		['192.0.2.10', 'reserved'],
		['198.18.0.1', 'reserved'],
	])('IPv4 %s is %s', (address, kind) => {
		expect(classifyAddress(address)).toBe(kind)
	})

	it.each([
		['2606:4700:4700::1111', 'public'],
		['2a00:1450:4001:82a::200e', 'public'],
		['::', 'unspecified'],
		['::1', 'loopback'],
		['0:0:0:0:0:0:0:1', 'loopback'],
		['fe80::1', 'link-local'],
		['fe80::1%eth0', 'link-local'],
		['febf::1', 'link-local'],
		['fc00::1', 'private'],
		['fd12:3456:789a::1', 'private'],
		['fec0::1', 'private'],
		['ff02::1', 'multicast'],
		['2001:db8::1', 'reserved'],
		['2001:0:4136:e378::1', 'reserved'],
		['100::1', 'reserved'],
		['4000::1', 'reserved'],
	])('IPv6 %s is %s', (address, kind) => {
		expect(classifyAddress(address)).toBe(kind)
	})

	it('judges IPv6 forms that carry an IPv4 address by that address', () => {
		expect(classifyAddress('::ffff:127.0.0.1')).toBe('loopback')
		// The form WHATWG's URL parser writes it in.
		expect(classifyAddress('::ffff:7f00:1')).toBe('loopback')
		expect(classifyAddress('::ffff:a9fe:a9fe')).toBe('link-local')
		expect(classifyAddress('::ffff:10.0.0.1')).toBe('private')
		expect(classifyAddress('::ffff:100.64.0.1')).toBe('cgnat')
		expect(classifyAddress('::ffff:0.0.0.0')).toBe('unspecified')
		expect(classifyAddress('::ffff:8.8.8.8')).toBe('public')
		expect(classifyAddress('::127.0.0.1')).toBe('loopback')
		expect(classifyAddress('64:ff9b::192.168.0.1')).toBe('private')
		expect(classifyAddress('64:ff9b::8.8.8.8')).toBe('public')
		expect(classifyAddress('2002:7f00:1::1')).toBe('loopback')
		expect(classifyAddress('2002:0808:0808::1')).toBe('public')
	})

	it('refuses what is not an address', () => {
		for (const text of [
			'',
			'localhost',
			'1.2.3',
			'1.2.3.4.5',
			'256.1.1.1',
			'01.2.3.4',
			'1:2:3',
			'1::2::3',
			':::',
			'g::1',
		])
			expect(classifyAddress(text), text).toBe('invalid')
		expect(parseIPv6('1:2:3:4:5:6:7:8:9')).toBeNull()
		expect(parseIPv6('1:2:3:4:5:6:1.2.3.4')).toEqual([1, 2, 3, 4, 5, 6, 0x102, 0x304])
	})

	it('reads a URL hostname as an address only when it is one', () => {
		expect(hostnameAsAddress('[::1]')).toBe('::1')
		expect(hostnameAsAddress('127.0.0.1')).toBe('127.0.0.1')
		expect(hostnameAsAddress('example.com')).toBeNull()
	})
})

describe('the outbound URL check', () => {
	const resolveTo =
		(...addresses: string[]) =>
		async () =>
			addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))

	it('takes only http and https URLs, with the form message of the URL check', async () => {
		for (const url of ['ftp://example.com/', 'javascript:alert(1)', 'file:///etc/passwd', 'hooks.example.com/x', ''])
			expect(await checkOutboundUrl(url, { resolve: resolveTo('8.8.8.8') }), url).toEqual({
				ok: false,
				message: 'Enter a full URL starting with https://',
			})
	})

	it('refuses a host that resolves to a private address, and a literal one, unless private addresses are allowed', async () => {
		const internal = await checkOutboundUrl('https://intranet.example/hook', {
			allowPrivate: false,
			resolve: resolveTo('10.0.0.5'),
		})
		expect(internal).toEqual({
			ok: false,
			message:
				'Clearance does not send to intranet.example: it is a private network address. Use an address on the public internet.',
		})
		// One refused address among several is enough: the connection could go to any.
		expect(
			(await checkOutboundUrl('https://mixed.example/', { allowPrivate: false, resolve: resolveTo('8.8.8.8', '::1') }))
				.ok,
		).toBe(false)
		for (const url of [
			'http://127.0.0.1:8080/',
			'http://[::1]/',
			'http://[::ffff:127.0.0.1]/',
			'http://2130706433/',
			'http://169.254.169.254/latest/meta-data/',
		])
			expect((await checkOutboundUrl(url, { allowPrivate: false, resolve: resolveTo('8.8.8.8') })).ok, url).toBe(false)
		expect(
			(await checkOutboundUrl('http://127.0.0.1:8080/', { allowPrivate: true, resolve: resolveTo('8.8.8.8') })).ok,
		).toBe(true)
		expect(
			(await checkOutboundUrl('https://hooks.example/x', { allowPrivate: false, resolve: resolveTo('8.8.8.8') })).ok,
		).toBe(true)
	})

	it('says when a host cannot be found', async () => {
		const missing = await checkOutboundUrl('https://no-such-host.example/', {
			allowPrivate: false,
			resolve: async () => {
				throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' })
			},
		})
		expect(missing).toEqual({
			ok: false,
			message: 'Clearance could not find the host “no-such-host.example”. Check the address.',
		})
	})

	it('reads OUTBOUND_ALLOW_PRIVATE=true only, from the environment by default', async () => {
		const { outboundPrivateAllowed } = await import('~/utils/outbound-url.server')
		expect(outboundPrivateAllowed({ OUTBOUND_ALLOW_PRIVATE: 'true' })).toBe(true)
		expect(outboundPrivateAllowed({ OUTBOUND_ALLOW_PRIVATE: '1' })).toBe(false)
		expect(outboundPrivateAllowed({})).toBe(false)
	})
})
