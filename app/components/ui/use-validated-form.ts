import { zodResolver } from '@hookform/resolvers/zod'
import { useSubmit } from '@remix-run/react'
import { useRef } from 'react'
import { useForm, type DefaultValues, type FieldValues, type Path } from 'react-hook-form'
import { type z } from 'zod'
import { focusFirstInvalid, useServerErrors, type FieldErrorMap } from './form'

function valueAt(source: unknown, path: string): unknown {
	return path.split('.').reduce<unknown>((node, key) => {
		if (node && typeof node === 'object') return (node as Record<string, unknown>)[key]
		return undefined
	}, source)
}

/**
 * react-hook-form with the route's zod schema. The browser validates first;
 * a valid form is then submitted as ordinary form data to the action, which
 * validates again with the same schema (docs/architecture.md › Routes and forms). Without
 * JavaScript the form posts natively and the action's errors render.
 *
 * `text`, `checkbox` and `radio` add the default value to the server-rendered
 * HTML too, so the form is filled in before (or without) hydration.
 */
export function useValidatedForm<Input extends FieldValues, Output>(
	schema: z.ZodType<Output, Input>,
	{ defaultValues, serverErrors }: { defaultValues?: DefaultValues<Input>; serverErrors?: FieldErrorMap },
) {
	const form = useForm<Input, unknown, Output>({
		resolver: zodResolver(schema),
		defaultValues,
		// Validate on submit, then as the person fixes things. Validating on
		// blur would insert error text while the submit button is pressed,
		// moving it out from under the pointer so the click is lost.
		mode: 'onSubmit',
		reValidateMode: 'onChange',
		// Focus is moved in reading order by focusFirstInvalid instead.
		shouldFocusError: false,
	})
	const formRef = useRef<HTMLFormElement>(null)
	useServerErrors(form, serverErrors, formRef)
	const submit = useSubmit()
	const onSubmit = form.handleSubmit(
		(_data, event) => {
			const target = event?.target
			if (target instanceof HTMLFormElement) submit(target)
		},
		() => focusFirstInvalid(formRef.current),
	)
	const errorOf = (name: string): string | undefined => {
		const direct = valueAt(form.formState.errors, name) as { message?: unknown } | undefined
		return typeof direct?.message === 'string' ? direct.message : serverErrors?.[name]
	}
	const text = (name: Path<Input>) => {
		const value = valueAt(defaultValues, name)
		return { ...form.register(name), defaultValue: typeof value === 'string' ? value : undefined }
	}
	const checkbox = (name: Path<Input>, value: string) => {
		const current = valueAt(defaultValues, name)
		return { ...form.register(name), value, defaultChecked: Array.isArray(current) && current.includes(value) }
	}
	const radio = (name: Path<Input>, value: string) => ({
		...form.register(name),
		value,
		defaultChecked: valueAt(defaultValues, name) === value,
	})
	return { form, formRef, onSubmit, errorOf, text, checkbox, radio }
}
