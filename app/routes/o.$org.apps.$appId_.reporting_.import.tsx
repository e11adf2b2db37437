import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useActionData, useFetcher, useLoaderData } from '@remix-run/react'
import { type ReportingActionResult as ActionResult } from '~/components/reporting/action-result'
import { ImportForm } from '~/components/reporting/import-form'
import { IMPORT_FETCHER } from '~/components/reporting/use-reporting-result'
import { PageHeader } from '~/components/ui/status'
import { parseCsv } from '~/domain/csv'
import { ImportActionSchema } from '~/schemas/reporting'
import { requireApp } from '~/services/apps.server'
import { importAccounts } from '~/services/ledger.server'
import { requirePermission } from '~/utils/auth.server'
import { removeUploads, textChunks, uploadedFile } from '~/utils/multipart.server'
import { throwRefusal, formRefusal } from '~/utils/refusals.server'
import { readReportingForm } from '~/utils/reporting-form.server'

/*
 * Importing the ledger (`…/reporting/import`). The reporting page's import
 * form posts here through a fetcher and shows the answer in place; without
 * JavaScript the browser posts here as a page, and this page shows the same
 * answer and the form, with the way back. Not nested in the reporting page,
 * so that page's loaders do not run for it.
 */

/** The file field the import takes; any other file is refused before a byte of it is written. */
const UPLOADS = { import: ['file'] }

export const meta: MetaFunction<typeof loader> = ({ data }) => [
	{ title: data ? `Import account ids · ${data.app.name} · Clearance` : 'Import account ids · Clearance' },
]

export async function loader({ request, params }: LoaderFunctionArgs) {
	const { org } = await requirePermission(request, params.org, 'apps:edit')
	const app = await requireApp(org.id, params.appId).catch(throwRefusal)
	return { base: `/o/${org.slug}/apps/${app.id}/reporting`, app: { name: app.name } }
}

export async function action({ request, params }: ActionFunctionArgs) {
	const { org, user } = await requirePermission(request, params.org, 'apps:edit')
	// Before reading the body, so another org's app is a 404 whatever was posted.
	const app = await requireApp(org.id, params.appId).catch(throwRefusal)
	const read = await readReportingForm(request, ImportActionSchema, { uploads: UPLOADS, intent: 'import' })
	if (!read.ok) return read.answer
	const { form, values, input } = read
	try {
		const file = uploadedFile(form, 'file')
		if (!file) {
			return data<ActionResult>(
				{ intent: 'import', errors: { file: 'Choose a CSV file with the header accountId,updatedAt.' } },
				400,
			)
		}
		const importResult = await importAccounts(org.id, user.id, app.id, parseCsv(textChunks(file)), {
			atomic: input.atomic,
		})
		return data<ActionResult>({ intent: 'import', importResult }, importResult.written ? 200 : 422)
	} catch (error) {
		return formRefusal<ActionResult>(error, { intent: 'import', values })
	} finally {
		await removeUploads(form)
	}
}

export default function ImportPage() {
	const { base, app } = useLoaderData<typeof loader>()
	const fetcher = useFetcher<ActionResult>({ key: IMPORT_FETCHER })
	const posted = useActionData<typeof action>()
	// With JavaScript the form answers through its fetcher; without, as this page's action data.
	const result = fetcher.data ?? posted
	return (
		<div className="stack">
			<PageHeader
				title={`Import account ids: ${app.name}`}
				actions={
					<Link className="button button-secondary" to={base}>
						Back to reporting
					</Link>
				}
			/>
			<ImportForm action={`${base}/import`} busy={false} result={result} />
		</div>
	)
}
