CREATE TABLE "app_deadline_marks" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"app_id" uuid NOT NULL,
	"org_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "app_deadlines" (
	"app_id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"basis" text NOT NULL,
	"due_at" timestamp with time zone,
	"due_day" date,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "app_deadline_marks" ADD CONSTRAINT "app_deadline_marks_app_id_apps_id_fk" FOREIGN KEY ("app_id") REFERENCES "public"."apps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "app_deadlines" ADD CONSTRAINT "app_deadlines_app_id_apps_id_fk" FOREIGN KEY ("app_id") REFERENCES "public"."apps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "app_deadlines" ADD CONSTRAINT "app_deadlines_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "app_deadline_marks_org_idx" ON "app_deadline_marks" USING btree ("org_id","app_id");--> statement-breakpoint
CREATE INDEX "app_deadlines_org_idx" ON "app_deadlines" USING btree ("org_id","due_at");--> statement-breakpoint
-- Marks an app whose deadline must be computed again (docs/performance.md › The dashboard at thousands of apps):
-- any change to the app, to its report runs, to its ledger's oldest account, or to its organisation's time zone.
-- Only inserts, so two writers never wait on each other; joined to apps so a cascade from a deleted app marks nothing.
CREATE FUNCTION app_deadline_mark_apps() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO app_deadline_marks (app_id, org_id) SELECT id, org_id FROM changed_rows;
	RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE FUNCTION app_deadline_mark_by_app_id() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO app_deadline_marks (app_id, org_id)
		SELECT a.id, a.org_id FROM apps a WHERE a.id IN (SELECT app_id FROM changed_rows);
	RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE FUNCTION app_deadline_mark_org() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO app_deadline_marks (app_id, org_id) SELECT a.id, a.org_id FROM apps a WHERE a.org_id = NEW.id;
	RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER apps_deadline_insert AFTER INSERT ON apps
	REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_deadline_mark_apps();
--> statement-breakpoint
CREATE TRIGGER apps_deadline_update AFTER UPDATE ON apps
	REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_deadline_mark_apps();
--> statement-breakpoint
CREATE TRIGGER report_runs_deadline_insert AFTER INSERT ON report_runs
	REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_deadline_mark_by_app_id();
--> statement-breakpoint
CREATE TRIGGER report_runs_deadline_update AFTER UPDATE ON report_runs
	REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_deadline_mark_by_app_id();
--> statement-breakpoint
CREATE TRIGGER report_runs_deadline_delete AFTER DELETE ON report_runs
	REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_deadline_mark_by_app_id();
--> statement-breakpoint
CREATE TRIGGER app_ledger_stats_deadline_insert AFTER INSERT ON app_ledger_stats
	REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_deadline_mark_by_app_id();
--> statement-breakpoint
CREATE TRIGGER app_ledger_stats_deadline_delete AFTER DELETE ON app_ledger_stats
	REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_deadline_mark_by_app_id();
--> statement-breakpoint
-- Row by row, only when the oldest account moved: the ledger's own writes change the count far more often.
CREATE FUNCTION app_deadline_mark_oldest() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO app_deadline_marks (app_id, org_id) SELECT a.id, a.org_id FROM apps a WHERE a.id = NEW.app_id;
	RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER app_ledger_stats_deadline_oldest AFTER UPDATE ON app_ledger_stats
	FOR EACH ROW WHEN (OLD.oldest_updated_at IS DISTINCT FROM NEW.oldest_updated_at OR OLD.first_stored_at IS DISTINCT FROM NEW.first_stored_at)
	EXECUTE FUNCTION app_deadline_mark_oldest();
--> statement-breakpoint
CREATE TRIGGER organizations_deadline_time_zone AFTER UPDATE OF time_zone ON organizations
	FOR EACH ROW WHEN (OLD.time_zone IS DISTINCT FROM NEW.time_zone) EXECUTE FUNCTION app_deadline_mark_org();
--> statement-breakpoint
INSERT INTO app_deadline_marks (app_id, org_id) SELECT id, org_id FROM apps;
