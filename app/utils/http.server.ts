import { data } from '@remix-run/node'

// Guards throw these so loaders read top to bottom (style.md, habit 1).

export function notFound(message = 'Not found'): never {
	throw data({ error: message }, { status: 404 })
}

export function forbidden(message = 'You do not have permission to do that.'): never {
	throw data({ error: message }, { status: 403 })
}

export function badRequest(message: string): never {
	throw data({ error: message }, { status: 400 })
}
