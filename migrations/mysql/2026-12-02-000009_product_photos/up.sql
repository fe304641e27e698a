-- The product's photo: the key naming its sizes under the media folder (domain::photo), or
-- NULL for a product shown without one.
ALTER TABLE products ADD COLUMN photo VARCHAR(64) NULL;
