-- Command output is bytes, and a script may print U+0000 (printf 'a\0b'), which PostgreSQL's
-- TEXT cannot hold. Such output is stored escaped (see OutputText in the command package):
-- backslash as \\ and NUL as \0, with this flag set on the row. Rows without the flag, all
-- rows written before this version among them, hold their output verbatim.
ALTER TABLE commands ADD COLUMN output_escaped BOOLEAN NOT NULL DEFAULT FALSE;
