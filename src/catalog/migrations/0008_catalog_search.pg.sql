-- Free-text search of the catalog in Chinese and English: each resource's words (code, names,
-- descriptions, field names and descriptions, ASCII lower-cased) in search_text, with a pg_trgm
-- GIN index, which serves LIKE '%…%' for any run of three or more characters, Chinese included.
-- The extension lives in schema public (one per database, whatever schema the platform's
-- tables are in), and its operator class is named with it.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
ALTER TABLE catalog_resources ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE catalog_resources SET search_text = LOWER(code || ' ' || name_zh || ' ' || name_en || ' ' ||
  description_zh || ' ' || description_en || ' ' || field_names);
CREATE INDEX catalog_resources_search ON catalog_resources USING gin (search_text public.gin_trgm_ops);
