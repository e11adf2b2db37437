ALTER TABLE "stored_accounts" DROP CONSTRAINT "stored_accounts_app_id_apps_id_fk";
--> statement-breakpoint
-- The ledger's accounts belong to an app of `apps` and go with it, as the
-- foreign key above had it, but checked once per statement instead of once
-- per row (docs/decisions/031-ledger-app-checked-per-statement.md). The key's
-- check planned and ran a query for every row written, most of the time a
-- COPY of new accounts took; here the apps of a statement's rows are locked
-- FOR KEY SHARE (as the key's check locks them: none can be deleted or change
-- its id before the writer commits) in one query over the transition table.
CREATE FUNCTION stored_accounts_apps_exist() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	named bigint;
	held bigint;
BEGIN
	SELECT count(DISTINCT app_id) INTO named FROM new_rows;
	IF named = 0 THEN
		RETURN NULL;
	END IF;
	-- An app deleted by a transaction that committed meanwhile is not returned (nor locked).
	SELECT count(*) INTO held FROM (
		SELECT 1 FROM apps a WHERE a.id IN (SELECT app_id FROM new_rows) FOR KEY SHARE OF a
	) locked;
	IF held < named THEN
		RAISE EXCEPTION 'insert or update on table "stored_accounts" violates foreign key constraint "stored_accounts_app_id_apps_id_fk"'
			USING ERRCODE = 'foreign_key_violation',
				DETAIL = 'An account names an app that is not in table "apps".',
				TABLE = 'stored_accounts',
				CONSTRAINT = 'stored_accounts_app_id_apps_id_fk';
	END IF;
	RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER stored_accounts_apps_exist_insert AFTER INSERT ON stored_accounts
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stored_accounts_apps_exist();
--> statement-breakpoint
CREATE TRIGGER stored_accounts_apps_exist_update AFTER UPDATE ON stored_accounts
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stored_accounts_apps_exist();
--> statement-breakpoint
-- ON DELETE CASCADE: an app deleted (or truncated away) takes its accounts with it.
CREATE FUNCTION apps_delete_stored_accounts() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'TRUNCATE' THEN
		TRUNCATE stored_accounts;
	ELSE
		DELETE FROM stored_accounts WHERE app_id = OLD.id;
	END IF;
	RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER apps_delete_stored_accounts AFTER DELETE ON apps
	FOR EACH ROW EXECUTE FUNCTION apps_delete_stored_accounts();
--> statement-breakpoint
CREATE TRIGGER apps_truncate_stored_accounts AFTER TRUNCATE ON apps
	FOR EACH STATEMENT EXECUTE FUNCTION apps_delete_stored_accounts();
--> statement-breakpoint
-- ON UPDATE NO ACTION: an app whose id the ledger names keeps that id.
CREATE FUNCTION apps_keep_ledger_id() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM stored_accounts WHERE app_id = OLD.id) THEN
		RAISE EXCEPTION 'update on table "apps" violates foreign key constraint "stored_accounts_app_id_apps_id_fk" on table "stored_accounts"'
			USING ERRCODE = 'foreign_key_violation',
				DETAIL = 'The app''s accounts are still in table "stored_accounts".',
				TABLE = 'apps',
				CONSTRAINT = 'stored_accounts_app_id_apps_id_fk';
	END IF;
	RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER apps_keep_ledger_id AFTER UPDATE OF id ON apps
	FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION apps_keep_ledger_id();
