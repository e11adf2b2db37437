import {
	forwardRef,
	useEffect,
	type InputHTMLAttributes,
	type ReactNode,
	type RefObject,
	type SelectHTMLAttributes,
	type TextareaHTMLAttributes,
} from 'react'
import { type FieldValues, type Path, type UseFormReturn } from 'react-hook-form'

/** Field errors keyed by dotted path (`useCases.0.description`), as actions return them. */
export type FieldErrorMap = Record<string, string>

export function errorId(name: string) {
	return `${name.replace(/[^A-Za-z0-9_-]/g, '-')}-error`
}

/** Moves focus to the first invalid field of a form, in reading order. */
export function focusFirstInvalid(form: HTMLFormElement | null) {
	// After React has rendered the error state.
	setTimeout(() => form?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus())
}

/**
 * Copies the action's field errors into react-hook-form once per response
 * and moves focus to the first one, so a keyboard or screen-reader user
 * lands on what needs fixing.
 */
export function useServerErrors<T extends FieldValues, Output>(
	form: UseFormReturn<T, unknown, Output>,
	errors: FieldErrorMap | undefined,
	formElement: RefObject<HTMLFormElement | null>,
) {
	useEffect(() => {
		if (!errors || Object.keys(errors).length === 0) return
		for (const [path, message] of Object.entries(errors)) {
			form.setError(path as Path<T>, { type: 'server', message })
		}
		focusFirstInvalid(formElement.current)
	}, [errors, form, formElement])
}

export function FieldError({ name, message }: { name: string; message?: string }) {
	if (!message) return null
	return (
		<p className="field-error" id={errorId(name)}>
			{message}
		</p>
	)
}

type FieldChrome = {
	label: string
	name: string
	error?: string
	hint?: ReactNode
}

/**
 * Label, hint and error around one control, wired together: the control is
 * described by the hint and the error, so both are read out with it.
 */
function FieldFrame({
	label,
	name,
	error,
	hint,
	id,
	children,
}: FieldChrome & { id: string; children: (describedBy: string | undefined) => ReactNode }) {
	const hintId = hint ? `${id}-hint` : undefined
	const describedBy = [hintId, error ? errorId(name) : undefined].filter(Boolean).join(' ')
	return (
		<div className="field">
			<label htmlFor={id}>{label}</label>
			{hint ? (
				<span className="hint" id={hintId}>
					{hint}
				</span>
			) : null}
			{children(describedBy || undefined)}
			<FieldError name={name} message={error} />
		</div>
	)
}

type FieldProps = FieldChrome & InputHTMLAttributes<HTMLInputElement>

/** A labelled input whose error text is announced with it (aria-describedby). */
export const TextField = forwardRef<HTMLInputElement, FieldProps>(function TextField(
	{ label, name, error, hint, id, ...input },
	ref,
) {
	const inputId = id ?? name
	return (
		<FieldFrame label={label} name={name} error={error} hint={hint} id={inputId}>
			{(describedBy) => (
				<input
					ref={ref}
					id={inputId}
					name={name}
					className="input"
					aria-invalid={error ? true : undefined}
					aria-describedby={describedBy}
					{...input}
				/>
			)}
		</FieldFrame>
	)
})

type TextAreaProps = FieldChrome & { describedBy?: string } & TextareaHTMLAttributes<HTMLTextAreaElement>

export const TextAreaField = forwardRef<HTMLTextAreaElement, TextAreaProps>(function TextAreaField(
	{ label, name, error, hint, describedBy, id, ...textarea },
	ref,
) {
	const inputId = id ?? name
	return (
		<FieldFrame label={label} name={name} error={error} hint={hint} id={inputId}>
			{(described) => (
				<textarea
					ref={ref}
					id={inputId}
					name={name}
					className="textarea"
					aria-invalid={error ? true : undefined}
					aria-describedby={[described, describedBy].filter(Boolean).join(' ') || undefined}
					{...textarea}
				/>
			)}
		</FieldFrame>
	)
})

type SelectProps = FieldChrome & { describedBy?: string } & SelectHTMLAttributes<HTMLSelectElement>

/** A labelled select; `describedBy` adds text outside the field (e.g. a live explanation). */
export const SelectField = forwardRef<HTMLSelectElement, SelectProps>(function SelectField(
	{ label, name, error, hint, describedBy, id, children, ...select },
	ref,
) {
	const selectId = id ?? name
	return (
		<FieldFrame label={label} name={name} error={error} hint={hint} id={selectId}>
			{(described) => (
				<select
					ref={ref}
					id={selectId}
					name={name}
					className="select"
					aria-invalid={error ? true : undefined}
					aria-describedby={[described, describedBy].filter(Boolean).join(' ') || undefined}
					{...select}
				>
					{children}
				</select>
			)}
		</FieldFrame>
	)
})

/** A message about the whole form (not one field), announced when it appears. */
export function FormAlert({ message }: { message?: string | null }) {
	if (!message) return null
	return (
		<div className="alert alert-bad" role="alert">
			{message}
		</div>
	)
}
