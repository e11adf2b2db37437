/**
 * CSV for spreadsheets. A cell starting with = + - @ (or a tab/CR) is run as
 * a formula by Excel and LibreOffice (OWASP "CSV Injection"), so it is
 * prefixed with an apostrophe; every cell is quoted and quotes doubled.
 */
export function csvCell(value: unknown): string {
	let text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value)
	if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`
	return `"${text.replace(/"/g, '""')}"`
}

/** Rows → CSV text with CRLF line ends (RFC 4180). */
export function toCsv(rows: readonly (readonly unknown[])[]): string {
	return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n'
}
