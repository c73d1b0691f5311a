-- Schema 2: a full-text index over references (SQLite FTS5), kept current by triggers and
-- filled from the references already in the workspace. It is a local, rebuildable projection.
-- Its rowid is the reference row's rowid; VACUUM may renumber those, so anything that vacuums
-- must refill the index afterwards (nothing in Tandem vacuums yet).

CREATE VIRTUAL TABLE reference_search USING fts5(
    title, authors, abstract, keywords, venue, year, citation_key, doi,
    -- No prefix indexes: they double the cost of indexing and barely speed up prefix queries.
    tokenize = 'unicode61 remove_diacritics 2'
);

-- One definition of what is indexed, used by the triggers and the initial fill alike.
CREATE VIEW reference_search_source AS
SELECT r.rowid AS source_rowid, r.deleted AS deleted, r.title AS title,
       (SELECT group_concat(trim(coalesce(json_extract(value, '$.given'), '') || ' ' ||
                                 coalesce(json_extract(value, '$.family'), '') ||
                                 coalesce(json_extract(value, '$.literal'), '')), '; ')
          FROM json_each(r.authors)) AS authors,
       r.abstract AS abstract,
       (SELECT group_concat(value, '; ') FROM json_each(r.keywords)) AS keywords,
       r.container_title AS venue, r.year AS year, r.citation_key AS citation_key, r.doi AS doi
FROM reference AS r;

CREATE TRIGGER reference_search_insert AFTER INSERT ON reference
WHEN NEW.deleted = 0
BEGIN
    INSERT INTO reference_search(rowid, title, authors, abstract, keywords, venue, year,
                                 citation_key, doi)
    SELECT source_rowid, title, authors, abstract, keywords, venue, year, citation_key, doi
    FROM reference_search_source WHERE source_rowid = NEW.rowid;
END;

CREATE TRIGGER reference_search_update AFTER UPDATE ON reference
BEGIN
    DELETE FROM reference_search WHERE rowid = OLD.rowid;
    INSERT INTO reference_search(rowid, title, authors, abstract, keywords, venue, year,
                                 citation_key, doi)
    SELECT source_rowid, title, authors, abstract, keywords, venue, year, citation_key, doi
    FROM reference_search_source WHERE source_rowid = NEW.rowid AND deleted = 0;
END;

INSERT INTO reference_search(rowid, title, authors, abstract, keywords, venue, year,
                             citation_key, doi)
SELECT source_rowid, title, authors, abstract, keywords, venue, year, citation_key, doi
FROM reference_search_source WHERE deleted = 0;
