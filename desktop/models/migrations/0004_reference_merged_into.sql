-- Schema 4: a reference merged into another keeps pointing at it, so citations and matches
-- made on other copies before the merge still find the surviving record.

ALTER TABLE reference ADD COLUMN merged_into VARCHAR(36);

-- The library's default order (first author), indexed so that a large library opens at once.
CREATE INDEX ix_reference_first_author ON reference (
    lower(coalesce(json_extract(authors, '$[0].family'), json_extract(authors, '$[0].literal'))),
    id);
