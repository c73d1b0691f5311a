-- Schema 3: a bulk import may defer the search index. While local_meta holds
-- 'search_index_deferred_after' = N, references with rowid > N are not indexed row by row;
-- the import indexes them in one INSERT ... SELECT before it commits (set-based, far faster).

DROP TRIGGER reference_search_insert;
DROP TRIGGER reference_search_update;

CREATE TRIGGER reference_search_insert AFTER INSERT ON reference
WHEN NEW.deleted = 0 AND NOT EXISTS (
    SELECT 1 FROM local_meta
    WHERE key = 'search_index_deferred_after' AND NEW.rowid > CAST(value AS INTEGER))
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
    FROM reference_search_source
    WHERE source_rowid = NEW.rowid AND deleted = 0 AND NOT EXISTS (
        SELECT 1 FROM local_meta
        WHERE key = 'search_index_deferred_after' AND NEW.rowid > CAST(value AS INTEGER));
END;
