-- Schema 2: a full-text index over references (SQLite FTS5), kept current by triggers and
-- filled from the references already in the workspace. It is a local, rebuildable projection.
-- Its rowid is the reference row's rowid; VACUUM may renumber those, so anything that vacuums
-- must refill the index afterwards (nothing in Tandem vacuums yet).

CREATE VIRTUAL TABLE reference_search USING fts5(
    title, authors, abstract, keywords, venue, year, citation_key, doi,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);

CREATE TRIGGER reference_search_insert AFTER INSERT ON reference
WHEN NEW.deleted = 0
BEGIN
    INSERT INTO reference_search(rowid, title, authors, abstract, keywords, venue, year,
                                 citation_key, doi)
    VALUES (NEW.rowid, NEW.title,
            (SELECT group_concat(trim(coalesce(json_extract(value, '$.given'), '') || ' ' ||
                                      coalesce(json_extract(value, '$.family'), '') ||
                                      coalesce(json_extract(value, '$.literal'), '')), '; ')
               FROM json_each(NEW.authors)),
            NEW.abstract,
            (SELECT group_concat(value, '; ') FROM json_each(NEW.keywords)),
            NEW.container_title, NEW.year, NEW.citation_key, NEW.doi);
END;

CREATE TRIGGER reference_search_update AFTER UPDATE ON reference
BEGIN
    DELETE FROM reference_search WHERE rowid = OLD.rowid;
    INSERT INTO reference_search(rowid, title, authors, abstract, keywords, venue, year,
                                 citation_key, doi)
    SELECT NEW.rowid, NEW.title,
           (SELECT group_concat(trim(coalesce(json_extract(value, '$.given'), '') || ' ' ||
                                     coalesce(json_extract(value, '$.family'), '') ||
                                     coalesce(json_extract(value, '$.literal'), '')), '; ')
              FROM json_each(NEW.authors)),
           NEW.abstract,
           (SELECT group_concat(value, '; ') FROM json_each(NEW.keywords)),
           NEW.container_title, NEW.year, NEW.citation_key, NEW.doi
    WHERE NEW.deleted = 0;
END;

INSERT INTO reference_search(rowid, title, authors, abstract, keywords, venue, year,
                             citation_key, doi)
SELECT r.rowid, r.title,
       (SELECT group_concat(trim(coalesce(json_extract(value, '$.given'), '') || ' ' ||
                                 coalesce(json_extract(value, '$.family'), '') ||
                                 coalesce(json_extract(value, '$.literal'), '')), '; ')
          FROM json_each(r.authors)),
       r.abstract,
       (SELECT group_concat(value, '; ') FROM json_each(r.keywords)),
       r.container_title, r.year, r.citation_key, r.doi
FROM reference AS r WHERE r.deleted = 0;
