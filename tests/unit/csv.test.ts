import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CsvParser, csvLine, isBlankRecord, MAX_RECORD_CHARS, parseCsv, type CsvRecord } from '~/domain/csv'

function parseAll(text: string, chunkSize = text.length || 1): CsvRecord[] {
	const parser = new CsvParser()
	const records: CsvRecord[] = []
	for (let i = 0; i < text.length; i += chunkSize) records.push(...parser.push(text.slice(i, i + chunkSize)))
	records.push(...parser.end())
	return records
}

describe('CsvParser', () => {
	it('reads LF, CRLF and CR line ends with physical line numbers', () => {
		expect(parseAll('a,b\nc,d\r\ne,f\rg,h')).toEqual([
			{ line: 1, fields: ['a', 'b'] },
			{ line: 2, fields: ['c', 'd'] },
			{ line: 3, fields: ['e', 'f'] },
			{ line: 4, fields: ['g', 'h'] },
		])
	})

	it('strips a UTF-8 byte-order mark and keeps a trailing empty field', () => {
		expect(parseAll('\uFEFFaccountId,updatedAt\r\nx,\r\n')).toEqual([
			{ line: 1, fields: ['accountId', 'updatedAt'] },
			{ line: 2, fields: ['x', ''] },
		])
	})

	it('reads quoted fields with commas, doubled quotes and line breaks, counting lines inside them', () => {
		expect(parseAll('"a,1","say ""hi"""\r\n"two\r\nlines",x\nlast,"q"')).toEqual([
			{ line: 1, fields: ['a,1', 'say "hi"'] },
			{ line: 2, fields: ['two\r\nlines', 'x'] },
			{ line: 4, fields: ['last', 'q'] },
		])
	})

	it('gives the same records whatever the chunk boundaries (CRLF and "" split across chunks)', () => {
		const text = '\uFEFFid,"a ""b"""\r\n"x\r\ny",2\r\n\r\nlast,3'
		const whole = parseAll(text)
		for (let size = 1; size <= text.length; size++) expect(parseAll(text, size)).toEqual(whole)
	})

	it('reports a never-closed quote and bounds an absurd row', () => {
		expect(parseAll('a,"open\nb,c')).toEqual([
			{ line: 1, fields: ['a', 'open\nb,c'], error: 'a quoted field is never closed (missing ")' },
		])
		const [long, next] = parseAll(`${'x'.repeat(MAX_RECORD_CHARS + 5)}\nok`)
		expect(long!.error).toContain('longer than')
		expect(long!.fields[0]!.length).toBe(MAX_RECORD_CHARS)
		expect(next).toEqual({ line: 2, fields: ['ok'] })
	})

	it('bounds a row of separators alone: a million commas are one row too long, not a million fields', () => {
		for (const chunk of [undefined, 4096]) {
			const [commas, next] = parseAll(
				`accountId,updatedAt${','.repeat(1_000_000)}
ok`,
				chunk,
			)
			expect(commas!.error).toContain('longer than')
			expect(commas!.fields.length).toBeLessThanOrEqual(MAX_RECORD_CHARS + 1)
			expect(next).toEqual({ line: 2, fields: ['ok'] })
		}
		// Quoted empty fields too.
		const [quoted] = parseAll(`${'"",'.repeat(100_000)}x`)
		expect(quoted!.error).toContain('longer than')
		expect(quoted!.fields.length).toBeLessThanOrEqual(MAX_RECORD_CHARS + 1)
	})

	it('marks blank lines so callers can skip them', () => {
		const records = parseAll('a\n\nb\n')
		expect(records.map(isBlankRecord)).toEqual([false, true, false])
	})

	it('round-trips what csvLine writes, for any fields and chunking, formula starts neutralised (property)', () => {
		const field = fc.string({
			unit: fc.constantFrom('a', 'Z', '0', ',', '"', '\r', '\n', ' ', 'é', '=', '-', '@', '\t'),
		})
		const rows = fc.array(fc.array(field, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 8 })
		// What a spreadsheet would run as a formula comes back behind an apostrophe.
		const safe = (value: string) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value)
		fc.assert(
			fc.property(rows, fc.integer({ min: 1, max: 7 }), (table, chunk) => {
				const text = table.map(csvLine).join('')
				expect(parseAll(text, chunk).map((record) => record.fields)).toEqual(table.map((row) => row.map(safe)))
			}),
		)
	})

	it('reads whole plain lines at once exactly as character by character, for any text and chunking (property)', () => {
		// A chunk of one character never holds a whole line: the reference reading.
		const text = fc.string({ unit: fc.constantFrom('a', '0', ',', '"', '\r', '\n', ' ', '\uFEFF'), maxLength: 60 })
		fc.assert(
			fc.property(text, fc.integer({ min: 2, max: 64 }), (input, chunk) => {
				expect(parseAll(input, chunk)).toEqual(parseAll(input, 1))
				expect(parseAll(input)).toEqual(parseAll(input, 1))
			}),
		)
		// Around the longest row allowed, with LF and CRLF ends.
		for (const length of [MAX_RECORD_CHARS - 1, MAX_RECORD_CHARS, MAX_RECORD_CHARS + 1]) {
			for (const end of ['\n', '\r\n']) {
				const input = `${'x'.repeat(length - 2)},y${end}a,b${end}`
				expect(parseAll(input)).toEqual(parseAll(input, 1))
			}
		}
	})

	it('csvLine neutralises cells a spreadsheet would run as formulas', () => {
		expect(csvLine(['=HYPERLINK("x")', '+1', '-1', '@SUM(A1)', '\tx', '\rx'])).toBe(
			`"'=HYPERLINK(""x"")","'+1","'-1","'@SUM(A1)","'\tx","'\rx"\r\n`,
		)
		expect(csvLine(['acc-1', '2026-01-01T00:00:00.000Z'])).toBe('"acc-1","2026-01-01T00:00:00.000Z"\r\n')
	})

	it('parseCsv reads an async stream of chunks', async () => {
		async function* chunks() {
			yield 'accountId,upd'
			yield 'atedAt\r'
			yield '\nabc,2026-01-01T00:00:00Z'
		}
		const records: CsvRecord[] = []
		for await (const record of parseCsv(chunks())) records.push(record)
		expect(records).toEqual([
			{ line: 1, fields: ['accountId', 'updatedAt'] },
			{ line: 2, fields: ['abc', '2026-01-01T00:00:00Z'] },
		])
	})
})
