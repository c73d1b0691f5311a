-- Schema 5: the practitioner and the researcher who work on a practice question together.

ALTER TABLE practice_question ADD COLUMN practitioner_id VARCHAR(36);
ALTER TABLE practice_question ADD COLUMN researcher_id VARCHAR(36);
