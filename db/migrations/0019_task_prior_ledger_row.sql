-- A task keeps the account's ledger row as it was before the task was done (its updatedAt and first stored), so a task
-- marked done by mistake can be undone exactly. Empty for tasks done before this migration: those cannot be undone.
ALTER TABLE "account_actions" ADD COLUMN "prior_updated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "account_actions" ADD COLUMN "prior_created_at" timestamp with time zone;