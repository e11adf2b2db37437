CREATE TYPE "public"."engine_outcome" AS ENUM('auto_approvable', 'rejected', 'needs_review');--> statement-breakpoint
CREATE TYPE "public"."request_state" AS ENUM('draft', 'in_review', 'changes_requested', 'ready_to_submit', 'submitted', 'info_requested', 'approved', 'declined', 'revoked', 'withdrawn');--> statement-breakpoint
CREATE TYPE "public"."reviewer_decision" AS ENUM('approved', 'rejected');--> statement-breakpoint
CREATE TABLE "access_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"app_id" uuid NOT NULL,
	"state" "request_state" DEFAULT 'draft' NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"amends_request_id" uuid,
	"company_name" text DEFAULT '' NOT NULL,
	"app_name" text DEFAULT '' NOT NULL,
	"app_key" text DEFAULT '' NOT NULL,
	"app_type" "app_type",
	"products" text[] DEFAULT '{}'::text[] NOT NULL,
	"marketplace_listing_url" text DEFAULT '' NOT NULL,
	"privacy_policy_url" text DEFAULT '' NOT NULL,
	"terms_of_use_url" text DEFAULT '' NOT NULL,
	"stores_personal_data" boolean,
	"functionality_description" text DEFAULT '' NOT NULL,
	"privacy_policy_excerpt" text DEFAULT '' NOT NULL,
	"checklist_ready" boolean DEFAULT false NOT NULL,
	"created_by" uuid NOT NULL,
	"updated_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "access_requests_version_positive" CHECK ("access_requests"."version" > 0)
);
--> statement-breakpoint
CREATE TABLE "request_use_cases" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"request_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"code" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"engine_outcome" "engine_outcome" NOT NULL,
	"suggested_code" text,
	"decision" "reviewer_decision",
	"decision_reason" text,
	"decided_by" uuid,
	"decided_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "access_requests" ADD CONSTRAINT "access_requests_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "access_requests" ADD CONSTRAINT "access_requests_app_id_apps_id_fk" FOREIGN KEY ("app_id") REFERENCES "public"."apps"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "access_requests" ADD CONSTRAINT "access_requests_amends_request_id_access_requests_id_fk" FOREIGN KEY ("amends_request_id") REFERENCES "public"."access_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "access_requests" ADD CONSTRAINT "access_requests_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "access_requests" ADD CONSTRAINT "access_requests_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "request_use_cases" ADD CONSTRAINT "request_use_cases_request_id_access_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."access_requests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "request_use_cases" ADD CONSTRAINT "request_use_cases_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "access_requests_org_idx" ON "access_requests" USING btree ("org_id","updated_at");--> statement-breakpoint
CREATE INDEX "access_requests_app_idx" ON "access_requests" USING btree ("app_id");--> statement-breakpoint
CREATE UNIQUE INDEX "request_use_cases_position_idx" ON "request_use_cases" USING btree ("request_id","position");