-- Schema 1: the replicated entities and the local change log, stamps and document logs.

CREATE TABLE change_log (
	seq INTEGER NOT NULL, 
	hlc VARCHAR(24) NOT NULL, 
	replica VARCHAR(36) NOT NULL, 
	entity VARCHAR(64) NOT NULL, 
	row_id VARCHAR(36) NOT NULL, 
	field VARCHAR(64) NOT NULL, 
	value JSON, 
	CONSTRAINT pk_change_log PRIMARY KEY (seq)
);

CREATE INDEX ix_change_log_row_id ON change_log (row_id);

CREATE TABLE comment (
	section_id VARCHAR(36) NOT NULL, 
	parent_id VARCHAR(36), 
	author_member_id VARCHAR(36), 
	body TEXT NOT NULL, 
	anchor JSON NOT NULL, 
	resolved BOOLEAN NOT NULL, 
	created_at VARCHAR(32) NOT NULL, 
	id VARCHAR(36) NOT NULL, 
	deleted BOOLEAN NOT NULL, 
	CONSTRAINT pk_comment PRIMARY KEY (id)
);

CREATE INDEX ix_comment_section_id ON comment (section_id);

CREATE TABLE document_update (
	seq INTEGER NOT NULL, 
	doc_id VARCHAR(96) NOT NULL, 
	replica VARCHAR(36) NOT NULL, 
	hlc VARCHAR(24) NOT NULL, 
	data BLOB NOT NULL, 
	CONSTRAINT pk_document_update PRIMARY KEY (seq)
);

CREATE INDEX ix_document_update_doc_id ON document_update (doc_id);

CREATE TABLE field_stamp (
	entity VARCHAR(64) NOT NULL, 
	row_id VARCHAR(36) NOT NULL, 
	field VARCHAR(64) NOT NULL, 
	hlc VARCHAR(24) NOT NULL, 
	replica VARCHAR(36) NOT NULL, 
	CONSTRAINT pk_field_stamp PRIMARY KEY (entity, row_id, field)
);

CREATE TABLE local_meta (
	"key" VARCHAR(64) NOT NULL, 
	value TEXT NOT NULL, 
	CONSTRAINT pk_local_meta PRIMARY KEY ("key")
);

CREATE TABLE "match" (
	question_id VARCHAR(36) NOT NULL, 
	reference_id VARCHAR(36) NOT NULL, 
	score FLOAT NOT NULL, 
	decision VARCHAR(16) NOT NULL, 
	note TEXT NOT NULL, 
	decided_by VARCHAR(36), 
	decided_at VARCHAR(32) NOT NULL, 
	id VARCHAR(36) NOT NULL, 
	deleted BOOLEAN NOT NULL, 
	CONSTRAINT pk_match PRIMARY KEY (id)
);

CREATE INDEX ix_match_question_id ON "match" (question_id);

CREATE INDEX ix_match_reference_id ON "match" (reference_id);

CREATE TABLE member (
	name TEXT NOT NULL, 
	role VARCHAR(32) NOT NULL, 
	organisation TEXT NOT NULL, 
	organisation_type VARCHAR(64) NOT NULL, 
	email TEXT NOT NULL, 
	expertise JSON NOT NULL, 
	bio TEXT NOT NULL, 
	language VARCHAR(8) NOT NULL, 
	public_keys JSON NOT NULL, 
	id VARCHAR(36) NOT NULL, 
	deleted BOOLEAN NOT NULL, 
	CONSTRAINT pk_member PRIMARY KEY (id)
);

CREATE TABLE practice_question (
	title TEXT NOT NULL, 
	language VARCHAR(8) NOT NULL, 
	question_text TEXT NOT NULL, 
	reformulated_question TEXT NOT NULL, 
	submitter_id VARCHAR(36), 
	submitter_name TEXT NOT NULL, 
	submitter_role TEXT NOT NULL, 
	organisation TEXT NOT NULL, 
	organisation_type VARCHAR(64) NOT NULL, 
	sector VARCHAR(64) NOT NULL, 
	theme TEXT NOT NULL, 
	sub_theme TEXT NOT NULL, 
	nwa_route TEXT NOT NULL, 
	stakeholders JSON NOT NULL, 
	how_articulated VARCHAR(32) NOT NULL, 
	breadth_of_support INTEGER NOT NULL, 
	urgency VARCHAR(16) NOT NULL, 
	urgency_driver TEXT NOT NULL, 
	expected_use VARCHAR(32) NOT NULL, 
	knowledge_gap_check TEXT NOT NULL, 
	data_available JSON NOT NULL, 
	resources_offered TEXT NOT NULL, 
	constraints TEXT NOT NULL, 
	status VARCHAR(32) NOT NULL, 
	cluster_id VARCHAR(36), 
	visibility VARCHAR(32) NOT NULL, 
	created_at VARCHAR(32) NOT NULL, 
	id VARCHAR(36) NOT NULL, 
	deleted BOOLEAN NOT NULL, 
	CONSTRAINT pk_practice_question PRIMARY KEY (id)
);

CREATE INDEX ix_practice_question_submitter_id ON practice_question (submitter_id);

CREATE TABLE proposal (
	title TEXT NOT NULL, 
	acronym TEXT NOT NULL, 
	template_id VARCHAR(64) NOT NULL, 
	template_version VARCHAR(32) NOT NULL, 
	citation_style VARCHAR(64) NOT NULL, 
	language VARCHAR(8) NOT NULL, 
	deadline VARCHAR(32) NOT NULL, 
	status VARCHAR(32) NOT NULL, 
	lead_member_id VARCHAR(36), 
	created_at VARCHAR(32) NOT NULL, 
	id VARCHAR(36) NOT NULL, 
	deleted BOOLEAN NOT NULL, 
	CONSTRAINT pk_proposal PRIMARY KEY (id)
);

CREATE TABLE proposal_question (
	proposal_id VARCHAR(36) NOT NULL, 
	question_id VARCHAR(36) NOT NULL, 
	id VARCHAR(36) NOT NULL, 
	deleted BOOLEAN NOT NULL, 
	CONSTRAINT pk_proposal_question PRIMARY KEY (id)
);

CREATE INDEX ix_proposal_question_proposal_id ON proposal_question (proposal_id);

CREATE INDEX ix_proposal_question_question_id ON proposal_question (question_id);

CREATE TABLE reference (
	citation_key TEXT NOT NULL, 
	csl_type VARCHAR(48) NOT NULL, 
	title TEXT NOT NULL, 
	authors JSON NOT NULL, 
	editors JSON NOT NULL, 
	issued JSON NOT NULL, 
	year INTEGER, 
	container_title TEXT NOT NULL, 
	volume TEXT NOT NULL, 
	issue TEXT NOT NULL, 
	page TEXT NOT NULL, 
	publisher TEXT NOT NULL, 
	doi TEXT NOT NULL, 
	url TEXT NOT NULL, 
	isbn TEXT NOT NULL, 
	abstract TEXT NOT NULL, 
	keywords JSON NOT NULL, 
	language VARCHAR(16) NOT NULL, 
	note TEXT NOT NULL, 
	csl JSON NOT NULL, 
	original_format VARCHAR(16) NOT NULL, 
	original_record TEXT NOT NULL, 
	added_at VARCHAR(32) NOT NULL, 
	id VARCHAR(36) NOT NULL, 
	deleted BOOLEAN NOT NULL, 
	CONSTRAINT pk_reference PRIMARY KEY (id)
);

CREATE INDEX ix_reference_citation_key ON reference (citation_key);

CREATE INDEX ix_reference_doi ON reference (doi);

CREATE INDEX ix_reference_year ON reference (year);

CREATE TABLE reference_tag (
	reference_id VARCHAR(36) NOT NULL, 
	tag_id VARCHAR(36) NOT NULL, 
	id VARCHAR(36) NOT NULL, 
	deleted BOOLEAN NOT NULL, 
	CONSTRAINT pk_reference_tag PRIMARY KEY (id)
);

CREATE INDEX ix_reference_tag_reference_id ON reference_tag (reference_id);

CREATE INDEX ix_reference_tag_tag_id ON reference_tag (tag_id);

CREATE TABLE section (
	proposal_id VARCHAR(36) NOT NULL, 
	template_section_id VARCHAR(64) NOT NULL, 
	number VARCHAR(16) NOT NULL, 
	title TEXT NOT NULL, 
	position FLOAT NOT NULL, 
	owner_member_id VARCHAR(36), 
	status VARCHAR(16) NOT NULL, 
	id VARCHAR(36) NOT NULL, 
	deleted BOOLEAN NOT NULL, 
	CONSTRAINT pk_section PRIMARY KEY (id)
);

CREATE INDEX ix_section_proposal_id ON section (proposal_id);

CREATE TABLE tag (
	name TEXT NOT NULL, 
	colour VARCHAR(16) NOT NULL, 
	id VARCHAR(36) NOT NULL, 
	deleted BOOLEAN NOT NULL, 
	CONSTRAINT pk_tag PRIMARY KEY (id)
);

CREATE TABLE workspace (
	name TEXT NOT NULL, 
	description TEXT NOT NULL, 
	language VARCHAR(8) NOT NULL, 
	created_at VARCHAR(32) NOT NULL, 
	id VARCHAR(36) NOT NULL, 
	deleted BOOLEAN NOT NULL, 
	CONSTRAINT pk_workspace PRIMARY KEY (id)
);
