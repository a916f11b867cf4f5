-- Free-text search of the catalog in Chinese and English: each resource's words (code, names,
-- descriptions, field names and descriptions, ASCII lower-cased) in search_text, indexed by an
-- FTS5 table with the trigram tokenizer, which finds any run of three or more characters,
-- Chinese included, without a word list. Triggers keep the index beside its rows.
ALTER TABLE catalog_resources ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE catalog_resources SET search_text = LOWER(code || ' ' || name_zh || ' ' || name_en || ' ' ||
  description_zh || ' ' || description_en || ' ' || field_names);
CREATE VIRTUAL TABLE catalog_search USING fts5(search_text, content = 'catalog_resources',
  content_rowid = 'rowid', tokenize = 'trigram');
INSERT INTO catalog_search (rowid, search_text) SELECT rowid, search_text FROM catalog_resources;
-- (The migration runner ends a statement at a line ending in ';': a trigger's body is one line.)
CREATE TRIGGER catalog_search_insert AFTER INSERT ON catalog_resources BEGIN
  INSERT INTO catalog_search (rowid, search_text) VALUES (new.rowid, new.search_text); END;
CREATE TRIGGER catalog_search_update AFTER UPDATE OF search_text ON catalog_resources BEGIN
  INSERT INTO catalog_search (catalog_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text); INSERT INTO catalog_search (rowid, search_text) VALUES (new.rowid, new.search_text); END;
CREATE TRIGGER catalog_search_delete AFTER DELETE ON catalog_resources BEGIN
  INSERT INTO catalog_search (catalog_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text); END;
