// The port the server will listen on, checked before anything slow runs
// (building, migrating), and the one plain line a person reads when it
// cannot be had: which port, why, and what to type instead. No stack trace.
import { createServer } from 'node:net'

/** The command the person ran, to repeat in the advice: npm sets npm_lifecycle_event to the script's name. */
export function startCommand(event = process.env.npm_lifecycle_event): string {
	return event === 'serve' ? 'npm run serve' : 'npm start'
}

/** One line saying why `port` could not be listened on, or null when the error is not about the address. */
export function listenProblem(
	error: unknown,
	port: number,
	host: string | undefined,
	command = startCommand(),
): string | null {
	const code = (error as NodeJS.ErrnoException | null)?.code
	const other = port >= 65535 ? 3000 : port + 1
	switch (code) {
		case 'EADDRINUSE':
			return `Port ${port} is in use. Stop the other server or start with PORT=${other} ${command}.`
		case 'EACCES':
			return `Port ${port} needs administrator rights. Start with PORT=${port < 1024 ? 3000 : other} ${command}.`
		case 'EADDRNOTAVAIL':
			return `HOST=${host} is not an address of this machine. Leave HOST unset (all addresses) or name one of its addresses.`
		default:
			return null
	}
}

/**
 * Tries to listen where the server will (`host` unset: every address, as the
 * server does) and lets go at once. Resolves null when the port is free, or the
 * line saying why not.
 */
export function checkPort(port: number, host?: string, command = startCommand()): Promise<string | null> {
	return new Promise((resolve) => {
		const probe = createServer()
		probe.once('error', (error) => {
			resolve(listenProblem(error, port, host, command) ?? `Cannot listen on port ${port}: ${error.message}`)
		})
		probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(null)))
	})
}

/** PORT as a number the server can listen on, or the line saying what is wrong with it. */
export function portFromEnv(value = process.env.PORT): { port: number } | { problem: string } {
	if (value === undefined || value === '') return { port: 3000 }
	const port = Number(value)
	return Number.isInteger(port) && port >= 0 && port <= 65535
		? { port }
		: { problem: `PORT=${value} is not a port number: use a whole number from 1 to 65535, such as PORT=3000.` }
}
