-- The allergens an ingredient contains (EU regulation 1169/2011, annex II): their codes,
-- comma-separated, in the regulation's order (domain::allergen). Empty: none.
ALTER TABLE ingredients ADD COLUMN allergens VARCHAR(200) NOT NULL DEFAULT '';
