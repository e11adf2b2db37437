/**
 * A streaming CSV reader (RFC 4180 plus what spreadsheets really write: a
 * UTF-8 BOM, CRLF or LF or CR line ends, quoted fields with doubled quotes and
 * line breaks). Chunks go in, records come out, so an upload of any size is
 * read with little memory (docs/architecture.md › Scaling out). Pure: no I/O.
 */

import { csvCell } from '~/utils/csv'

export type CsvRecord = {
	/** 1-based physical line on which the record starts (what an editor shows). */
	line: number
	fields: string[]
	/** Set when the record could not be read whole (never-closed quote, absurd length). */
	error?: string
}

/** No ledger row comes near this; it bounds memory when a quote is never closed. */
export const MAX_RECORD_CHARS = 16_384

type State = 'fieldStart' | 'unquoted' | 'quoted' | 'quoteInQuoted'

export class CsvParser {
	private state: State = 'fieldStart'
	private fields: string[] = []
	private field = ''
	private size = 0
	private tooLong = false
	private line = 1
	private recordLine = 1
	private afterCr = false
	/** The character before, across chunks: a CRLF inside quotes is one line break. */
	private previous = ''
	private started = false
	private out: CsvRecord[] = []

	/** Feeds one chunk; returns the records it completed. */
	push(chunk: string): CsvRecord[] {
		let text = chunk
		if (!this.started && text.length > 0) {
			this.started = true
			if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
		}
		for (let i = 0; i < text.length; i++) {
			// At a record's start, a whole line with no quote (LF or CRLF end) is read in one go: what the
			// character-by-character reading below would make of it, without a string per character.
			if (this.state === 'fieldStart' && this.fields.length === 0 && !this.afterCr) {
				const end = text.indexOf('\n', i)
				if (end !== -1 && end - i <= MAX_RECORD_CHARS + 1) {
					const crlf = end > i && text.charCodeAt(end - 1) === 13
					const line = text.slice(i, crlf ? end - 1 : end)
					if (line.length <= MAX_RECORD_CHARS && !line.includes('"') && !line.includes('\r')) {
						this.out.push({ line: this.recordLine, fields: line.split(',') })
						this.line++
						this.recordLine = this.line
						this.previous = '\n'
						i = end
						continue
					}
				}
			}
			const char = text[i]!
			if (this.afterCr) {
				this.afterCr = false
				// CRLF is one line end; the LF was already counted with the CR.
				if (char === '\n' && this.state !== 'quoted') {
					this.previous = char
					continue
				}
			}
			this.handle(char)
			this.previous = char
		}
		const done = this.out
		this.out = []
		return done
	}

	private handle(char: string) {
		switch (this.state) {
			case 'quoted':
				if (char === '"') this.state = 'quoteInQuoted'
				else {
					if (char === '\r' || (char === '\n' && this.previous !== '\r')) this.line++
					this.append(char)
				}
				break
			case 'quoteInQuoted':
				if (char === '"') {
					this.append('"')
					this.state = 'quoted'
					break
				}
				this.state = 'unquoted'
				this.handleUnquoted(char)
				break
			case 'fieldStart':
				if (char === '"') {
					this.state = 'quoted'
					break
				}
				this.state = 'unquoted'
				this.handleUnquoted(char)
				break
			case 'unquoted':
				this.handleUnquoted(char)
				break
		}
	}

	/** Ends the input; returns the last record, if any. */
	end(): CsvRecord[] {
		if (this.state === 'quoted') {
			this.fields.push(this.field)
			this.emit('a quoted field is never closed (missing ")')
		} else if (this.state !== 'fieldStart' || this.fields.length > 0) {
			this.fields.push(this.field)
			this.emit()
		}
		const done = this.out
		this.out = []
		return done
	}

	private handleUnquoted(char: string) {
		if (char === ',') {
			// A separator counts toward the record's length too: a line of a hundred million commas is one record
			// too long, not a hundred million fields held in memory.
			this.size++
			if (this.size > MAX_RECORD_CHARS) {
				this.tooLong = true
				this.field = ''
				this.state = 'fieldStart'
				return
			}
			this.fields.push(this.field)
			this.field = ''
			this.state = 'fieldStart'
		} else if (char === '\n' || char === '\r') {
			this.fields.push(this.field)
			this.emit()
			this.line++
			this.recordLine = this.line
			if (char === '\r') this.afterCr = true
		} else {
			this.append(char)
		}
	}

	private append(char: string) {
		this.size++
		if (this.size > MAX_RECORD_CHARS) {
			this.tooLong = true
			return
		}
		this.field += char
	}

	private emit(error?: string) {
		const record: CsvRecord = { line: this.recordLine, fields: this.fields }
		if (this.tooLong) record.error = `the row is longer than ${MAX_RECORD_CHARS} characters`
		else if (error) record.error = error
		this.out.push(record)
		this.fields = []
		this.field = ''
		this.size = 0
		this.tooLong = false
		this.state = 'fieldStart'
	}
}

/** Records from text chunks (e.g. a decoded upload stream), one at a time. */
export async function* parseCsv(
	chunks: AsyncIterable<string> | Iterable<string>,
): AsyncGenerator<CsvRecord, void, undefined> {
	const parser = new CsvParser()
	for await (const chunk of chunks) yield* parser.push(chunk)
	yield* parser.end()
}

/**
 * True when a record holds what no CSV text file does: NUL or another control
 * character (tab and line breaks aside), or U+FFFD, which the UTF-8 decoder
 * puts where bytes were not text. An image, a spreadsheet workbook (a zip) or
 * a UTF-16 export all show it within their first bytes.
 */
export function isBinaryRecord(record: CsvRecord): boolean {
	return record.fields.some((field) => /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/.test(field))
}

/** A blank line (nothing but its line end) carries no row. */
export function isBlankRecord(record: CsvRecord): boolean {
	return record.fields.length === 1 && record.fields[0]!.trim() === '' && !record.error
}

/** One field for a CSV file, always quoted and formula-safe (csvCell): exports open in spreadsheets. */
export function csvField(value: string): string {
	return csvCell(value)
}

export function csvLine(fields: readonly string[]): string {
	return `${fields.map(csvField).join(',')}\r\n`
}
