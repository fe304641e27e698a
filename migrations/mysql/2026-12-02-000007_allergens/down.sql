ALTER TABLE ingredients DROP COLUMN allergens;
