import { zodResolver } from '@hookform/resolvers/zod'
import { useSubmit } from '@remix-run/react'
import { useRef } from 'react'
import { useForm, type DefaultValues, type FieldValues } from 'react-hook-form'
import { type z } from 'zod'
import { focusFirstInvalid, useServerErrors, type FieldErrorMap } from './form'

/**
 * react-hook-form with the route's zod schema. The browser validates first;
 * a valid form is then submitted as ordinary form data to the action, which
 * validates again with the same schema (style.md, habit 3). Without
 * JavaScript the form posts natively and the action's errors render.
 */
export function useValidatedForm<Input extends FieldValues, Output>(
	schema: z.ZodType<Output, Input>,
	{
		defaultValues,
		serverErrors,
	}: { defaultValues?: DefaultValues<Input>; serverErrors?: FieldErrorMap },
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
		const direct = form.formState.errors[name]?.message
		return typeof direct === 'string' ? direct : serverErrors?.[name]
	}
	return { form, formRef, onSubmit, errorOf }
}
