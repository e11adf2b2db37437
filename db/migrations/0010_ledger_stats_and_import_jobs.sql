CREATE TABLE "app_ledger_stats" (
	"app_id" uuid PRIMARY KEY NOT NULL,
	"account_count" bigint DEFAULT 0 NOT NULL,
	"oldest_updated_at" timestamp with time zone,
	"first_stored_at" timestamp with time zone,
	"changed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "import_job_chunks" (
	"job_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"data" "bytea" NOT NULL,
	CONSTRAINT "import_job_chunks_job_id_seq_pk" PRIMARY KEY("job_id","seq")
);
--> statement-breakpoint
CREATE TABLE "import_job_rejections" (
	"job_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"value" text NOT NULL,
	"reason" text NOT NULL,
	CONSTRAINT "import_job_rejections_job_id_position_pk" PRIMARY KEY("job_id","position")
);
--> statement-breakpoint
CREATE TABLE "import_job_staged" (
	"job_id" uuid NOT NULL,
	"account_id" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "import_job_staged_job_id_account_id_pk" PRIMARY KEY("job_id","account_id")
);
--> statement-breakpoint
CREATE TABLE "import_jobs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"app_id" uuid NOT NULL,
	"source" text DEFAULT 'upload' NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"atomic" boolean DEFAULT false NOT NULL,
	"file_name" text,
	"total_bytes" bigint DEFAULT 0 NOT NULL,
	"processed_bytes" bigint DEFAULT 0 NOT NULL,
	"rows" integer DEFAULT 0 NOT NULL,
	"inserted" integer DEFAULT 0 NOT NULL,
	"updated" integer DEFAULT 0 NOT NULL,
	"rejected" integer DEFAULT 0 NOT NULL,
	"cursor" jsonb,
	"error" text,
	"created_by" uuid,
	"created_by_key_id" uuid,
	"cancel_requested_at" timestamp with time zone,
	"cancel_requested_by" uuid,
	"claimed_by" text,
	"heartbeat_at" timestamp with time zone,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "import_jobs_status_known" CHECK ("import_jobs"."status" in ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
	CONSTRAINT "import_jobs_source_known" CHECK ("import_jobs"."source" in ('upload', 'api', 'reporter'))
);
--> statement-breakpoint
ALTER TABLE "app_ledger_stats" ADD CONSTRAINT "app_ledger_stats_app_id_apps_id_fk" FOREIGN KEY ("app_id") REFERENCES "public"."apps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_job_chunks" ADD CONSTRAINT "import_job_chunks_job_id_import_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."import_jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_job_rejections" ADD CONSTRAINT "import_job_rejections_job_id_import_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."import_jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_job_staged" ADD CONSTRAINT "import_job_staged_job_id_import_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."import_jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_jobs" ADD CONSTRAINT "import_jobs_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_jobs" ADD CONSTRAINT "import_jobs_app_id_apps_id_fk" FOREIGN KEY ("app_id") REFERENCES "public"."apps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_jobs" ADD CONSTRAINT "import_jobs_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_jobs" ADD CONSTRAINT "import_jobs_created_by_key_id_api_keys_id_fk" FOREIGN KEY ("created_by_key_id") REFERENCES "public"."api_keys"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_jobs" ADD CONSTRAINT "import_jobs_cancel_requested_by_users_id_fk" FOREIGN KEY ("cancel_requested_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "import_jobs_app_idx" ON "import_jobs" USING btree ("app_id","created_at");--> statement-breakpoint
CREATE INDEX "import_jobs_pending_idx" ON "import_jobs" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "stored_accounts_prefix_idx" ON "stored_accounts" USING btree ("app_id","account_id" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "stored_accounts_updated_idx" ON "stored_accounts" USING btree ("app_id","updated_at");--> statement-breakpoint
-- Per-app ledger figures kept in the same transaction as every change to
-- stored_accounts (docs/performance.md): statement-level triggers read the
-- rows a statement changed (transition tables), so a 1,000-row upsert costs
-- one update of one row here, and a COPY or an unnest insert is counted too.
-- The oldest updatedAt is read back through stored_accounts_updated_idx
-- (one index probe) whenever rows leave or change.
CREATE FUNCTION app_ledger_stats_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO app_ledger_stats AS s (app_id, account_count, oldest_updated_at, first_stored_at, changed_at)
		SELECT app_id, count(*), min(updated_at), min(created_at), now() FROM new_rows GROUP BY app_id
	ON CONFLICT (app_id) DO UPDATE SET
		account_count = s.account_count + excluded.account_count,
		oldest_updated_at = least(s.oldest_updated_at, excluded.oldest_updated_at),
		first_stored_at = least(s.first_stored_at, excluded.first_stored_at),
		changed_at = now();
	RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE FUNCTION app_ledger_stats_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE app_ledger_stats AS s SET
		account_count = s.account_count - (CASE WHEN TG_OP = 'DELETE' THEN c.n ELSE 0 END),
		oldest_updated_at = (SELECT min(a.updated_at) FROM stored_accounts a WHERE a.app_id = s.app_id),
		changed_at = now()
	FROM (SELECT app_id, count(*) AS n FROM old_rows GROUP BY app_id) c
	WHERE s.app_id = c.app_id;
	RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER stored_accounts_stats_insert AFTER INSERT ON stored_accounts
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION app_ledger_stats_inserted();
--> statement-breakpoint
CREATE TRIGGER stored_accounts_stats_update AFTER UPDATE ON stored_accounts
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION app_ledger_stats_changed();
--> statement-breakpoint
CREATE TRIGGER stored_accounts_stats_delete AFTER DELETE ON stored_accounts
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION app_ledger_stats_changed();
--> statement-breakpoint
INSERT INTO app_ledger_stats (app_id, account_count, oldest_updated_at, first_stored_at)
	SELECT app_id, count(*), min(updated_at), min(created_at) FROM stored_accounts GROUP BY app_id;
