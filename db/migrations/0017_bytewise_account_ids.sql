-- The ledger's ids compared byte by byte: the primary key then serves the search by prefix, and its second index goes (decision 032).
DROP INDEX "stored_accounts_prefix_idx";--> statement-breakpoint
ALTER TABLE "stored_accounts" ALTER COLUMN "account_id" SET DATA TYPE text collate "C";