CREATE TABLE "prepared_reports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"app_id" uuid NOT NULL,
	"sha256" text NOT NULL,
	"account_count" integer NOT NULL,
	"batch_count" integer NOT NULL,
	"batch_sha256" text[] NOT NULL,
	"prepared_at" timestamp with time zone DEFAULT now() NOT NULL,
	"prepared_by" uuid,
	CONSTRAINT "prepared_reports_sha_format" CHECK ("prepared_reports"."sha256" ~ '^[0-9a-f]{64}$')
);
--> statement-breakpoint
ALTER TABLE "apps" DROP CONSTRAINT "apps_cycle_days_range";--> statement-breakpoint
ALTER TABLE "apps" ALTER COLUMN "cycle_days" SET DATA TYPE double precision;--> statement-breakpoint
ALTER TABLE "apps" ALTER COLUMN "cycle_days" SET DEFAULT 15;--> statement-breakpoint
ALTER TABLE "report_runs" ALTER COLUMN "cycle_period_days" SET DATA TYPE double precision;--> statement-breakpoint
ALTER TABLE "apps" ADD COLUMN "storing_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "apps" ADD COLUMN "storing_since_source" text;--> statement-breakpoint
ALTER TABLE "apps" ADD COLUMN "storing_since_set_by" uuid;--> statement-breakpoint
ALTER TABLE "apps" ADD COLUMN "storing_since_set_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "apps" ADD COLUMN "storing_since_proposed" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "apps" ADD COLUMN "cycle_reason" text;--> statement-breakpoint
ALTER TABLE "apps" ADD COLUMN "atlassian_cycle_days" double precision;--> statement-breakpoint
ALTER TABLE "apps" ADD COLUMN "pending_cycle_run_id" uuid;--> statement-breakpoint
ALTER TABLE "report_runs" ADD COLUMN "prepared_report_id" uuid;--> statement-breakpoint
ALTER TABLE "report_runs" ADD COLUMN "cycle_period_outcome" text;--> statement-breakpoint
ALTER TABLE "report_runs" ADD COLUMN "batch_answers" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "prepared_reports" ADD CONSTRAINT "prepared_reports_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "prepared_reports" ADD CONSTRAINT "prepared_reports_app_id_apps_id_fk" FOREIGN KEY ("app_id") REFERENCES "public"."apps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "prepared_reports" ADD CONSTRAINT "prepared_reports_prepared_by_users_id_fk" FOREIGN KEY ("prepared_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "prepared_reports_app_sha_idx" ON "prepared_reports" USING btree ("app_id","sha256");--> statement-breakpoint
CREATE INDEX "prepared_reports_org_app_idx" ON "prepared_reports" USING btree ("org_id","app_id","prepared_at");--> statement-breakpoint
ALTER TABLE "apps" ADD CONSTRAINT "apps_storing_since_set_by_users_id_fk" FOREIGN KEY ("storing_since_set_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "apps" ADD CONSTRAINT "apps_pending_cycle_run_id_report_runs_id_fk" FOREIGN KEY ("pending_cycle_run_id") REFERENCES "public"."report_runs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report_runs" ADD CONSTRAINT "report_runs_prepared_report_id_prepared_reports_id_fk" FOREIGN KEY ("prepared_report_id") REFERENCES "public"."prepared_reports"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "apps" ADD CONSTRAINT "apps_storing_since_source_known" CHECK ("apps"."storing_since_source" in ('person', 'ledger'));--> statement-breakpoint
ALTER TABLE "apps" ADD CONSTRAINT "apps_cycle_days_range" CHECK ("apps"."cycle_days" * 86400 >= 3600 and "apps"."cycle_days" <= 90);