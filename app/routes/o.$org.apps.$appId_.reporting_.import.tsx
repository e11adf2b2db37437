import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useActionData, useFetcher, useLoaderData } from '@remix-run/react'
import { type ReportingActionResult as ActionResult } from '~/components/reporting/action-result'
import { ImportForm } from '~/components/reporting/import-form'
import { IMPORT_FETCHER } from '~/components/reporting/use-reporting-result'
import { PageHeader } from '~/components/ui/status'
import { ImportRouteSchema } from '~/schemas/reporting'
import { requireApp } from '~/services/apps.server'
import {
	createUploadJob,
	discardImportJob,
	importResultOf,
	INLINE_MAX_BYTES,
	kickImportWorker,
	listImportJobs,
	requestImportCancel,
	runImportJob,
	summarizeJob,
} from '~/services/import-jobs.server'
import { requirePermission } from '~/utils/auth.server'
import { removeUploads, uploadedFile } from '~/utils/multipart.server'
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
	// Without JavaScript this page is where an import's progress is seen (its Refresh link reloads it).
	const jobs = (await listImportJobs(org.id, app.id)).map((job) => summarizeJob(job))
	return { base: `/o/${org.slug}/apps/${app.id}/reporting`, app: { name: app.name }, jobs }
}

export async function action({ request, params }: ActionFunctionArgs) {
	const { org, user } = await requirePermission(request, params.org, 'apps:edit')
	// Before reading the body, so another org's app is a 404 whatever was posted.
	const app = await requireApp(org.id, params.appId).catch(throwRefusal)
	const read = await readReportingForm(request, ImportRouteSchema, { uploads: UPLOADS, intent: 'import' })
	if (!read.ok) return read.answer
	const { form, values, input } = read
	try {
		if (input.intent === 'cancel-import') {
			const job = summarizeJob(await requestImportCancel(org.id, user.id, app.id, input.jobId))
			const notice =
				job.status === 'cancelled'
					? 'Import cancelled before it started: nothing was written.'
					: 'Stopping the import: it stops after the rows it is writing now.'
			return data<ActionResult>({ intent: 'cancel-import', importJob: job, notice })
		}
		const file = uploadedFile(form, 'file')
		if (!file) {
			return data<ActionResult>(
				{ intent: 'import', errors: { file: 'Choose a CSV file with the header accountId,updatedAt.' } },
				400,
			)
		}
		// A small file is imported now, so the form shows its summary at once; a larger one in the background.
		const inline = file.size <= INLINE_MAX_BYTES
		const job = await createUploadJob(org.id, user.id, app.id, file, { atomic: input.atomic, inline })
		if (!inline) {
			kickImportWorker()
			return data<ActionResult>({ intent: 'import', importJob: summarizeJob(job) }, 202)
		}
		const ended = await runImportJob(job.id)
		if (!ended) return data<ActionResult>({ intent: 'import', importJob: summarizeJob(job) }, 202)
		const importJob = summarizeJob(ended)
		const importResult = await importResultOf(ended)
		// The file itself was refused (no header, not text): said under the file field, as before jobs.
		if (ended.status === 'failed' && importResult.written) {
			await discardImportJob(ended.id)
			return data<ActionResult>({ intent: 'import', importJob, values, errors: { file: ended.error ?? '' } }, 400)
		}
		return data<ActionResult>({ intent: 'import', importResult, importJob }, importResult.written ? 200 : 422)
	} catch (error) {
		return formRefusal<ActionResult>(error, { intent: input.intent, values })
	} finally {
		await removeUploads(form)
	}
}

export default function ImportPage() {
	const { base, app, jobs } = useLoaderData<typeof loader>()
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
			<ImportForm action={`${base}/import`} busy={false} result={result} jobs={jobs} />
		</div>
	)
}
