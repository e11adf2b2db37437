-- Migration 0015's check, one app at a time (decision 031): its single query
-- (`apps.id IN (SELECT app_id FROM new_rows)`) was planned as a scan of every
-- app when the planner, knowing nothing of the transition table, expected
-- many apps in it. A statement's rows almost always name one app: each app is
-- now locked by its primary key, whatever the number of apps.
CREATE OR REPLACE FUNCTION stored_accounts_apps_exist() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	named uuid;
BEGIN
	FOR named IN SELECT DISTINCT app_id FROM new_rows LOOP
		-- FOR KEY SHARE, as a foreign key's check locks it; an app deleted by a transaction that committed
		-- meanwhile is not found.
		PERFORM 1 FROM apps WHERE id = named FOR KEY SHARE;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'insert or update on table "stored_accounts" violates foreign key constraint "stored_accounts_app_id_apps_id_fk"'
				USING ERRCODE = 'foreign_key_violation',
					DETAIL = format('Key (app_id)=(%s) is not present in table "apps".', named),
					TABLE = 'stored_accounts',
					CONSTRAINT = 'stored_accounts_app_id_apps_id_fk';
		END IF;
	END LOOP;
	RETURN NULL;
END;
$$;
