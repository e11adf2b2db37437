CREATE TABLE "org_view_marks" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "org_view_marks" ADD CONSTRAINT "org_view_marks_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "org_view_marks_org_idx" ON "org_view_marks" USING btree ("org_id","id");--> statement-breakpoint
-- Marks an organisation whose dashboard changed (decision 034): any change to its access requests, tickets, account
-- tasks, notifications or its own row, or an app deleted (a change to an app leaves a deadline mark, which moves the
-- same version). Only inserts, so two writers never wait on each other; joined to organizations so a cascade from a
-- deleted organisation marks nothing.
CREATE FUNCTION org_view_mark_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO org_view_marks (org_id)
		SELECT o.id FROM organizations o WHERE o.id IN (SELECT org_id FROM changed_rows);
	RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE FUNCTION org_view_mark_orgs() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO org_view_marks (org_id) SELECT id FROM changed_rows;
	RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER access_requests_view_insert AFTER INSERT ON access_requests
	REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION org_view_mark_rows();
--> statement-breakpoint
CREATE TRIGGER access_requests_view_update AFTER UPDATE ON access_requests
	REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION org_view_mark_rows();
--> statement-breakpoint
CREATE TRIGGER access_requests_view_delete AFTER DELETE ON access_requests
	REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION org_view_mark_rows();
--> statement-breakpoint
CREATE TRIGGER tickets_view_insert AFTER INSERT ON tickets
	REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION org_view_mark_rows();
--> statement-breakpoint
CREATE TRIGGER tickets_view_update AFTER UPDATE ON tickets
	REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION org_view_mark_rows();
--> statement-breakpoint
CREATE TRIGGER tickets_view_delete AFTER DELETE ON tickets
	REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION org_view_mark_rows();
--> statement-breakpoint
CREATE TRIGGER account_actions_view_insert AFTER INSERT ON account_actions
	REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION org_view_mark_rows();
--> statement-breakpoint
CREATE TRIGGER account_actions_view_update AFTER UPDATE ON account_actions
	REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION org_view_mark_rows();
--> statement-breakpoint
CREATE TRIGGER account_actions_view_delete AFTER DELETE ON account_actions
	REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION org_view_mark_rows();
--> statement-breakpoint
CREATE TRIGGER notifications_view_insert AFTER INSERT ON notifications
	REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION org_view_mark_rows();
--> statement-breakpoint
CREATE TRIGGER notifications_view_update AFTER UPDATE ON notifications
	REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION org_view_mark_rows();
--> statement-breakpoint
CREATE TRIGGER notifications_view_delete AFTER DELETE ON notifications
	REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION org_view_mark_rows();
--> statement-breakpoint
CREATE TRIGGER apps_view_delete AFTER DELETE ON apps
	REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION org_view_mark_rows();
--> statement-breakpoint
CREATE TRIGGER organizations_view_update AFTER UPDATE ON organizations
	REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION org_view_mark_orgs();
--> statement-breakpoint
-- The ledger's size is shown for an app that says it stores no personal data ("its ledger holds 3 accounts"); a
-- count that moves without crossing zero leaves no deadline mark. Row by row, only when the count moved, and only
-- for such an app: an import into any other app marks nothing.
CREATE FUNCTION org_view_mark_ledger_count() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO org_view_marks (org_id)
		SELECT a.org_id FROM apps a WHERE a.id = NEW.app_id AND a.stores_personal_data = 'no';
	RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER app_ledger_stats_view_count AFTER UPDATE ON app_ledger_stats
	FOR EACH ROW WHEN (OLD.account_count IS DISTINCT FROM NEW.account_count) EXECUTE FUNCTION org_view_mark_ledger_count();
