-- Schema 4: a reference merged into another keeps pointing at it, so citations and matches
-- made on other copies before the merge still find the surviving record.

ALTER TABLE reference ADD COLUMN merged_into VARCHAR(36);
