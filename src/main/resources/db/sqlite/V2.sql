-- The catalog of the embedded blob store. Blob bytes live in content-addressed chunk files of 1 MiB
-- (blobs/chunks/ab/<sha-256>): these tables say which blob names which content, which chunks make up each
-- content, and how many references keep each content and each chunk alive.

-- A content: the bytes of one or more blobs (a copy is a second name for the same content).
-- refs: how many blob names point at it, and a content at 0 references is deleted with its chunk map.
CREATE TABLE blob_contents (
    id   INTEGER NOT NULL PRIMARY KEY,
    size INTEGER NOT NULL,
    refs INTEGER NOT NULL
);

-- The chunk map of a content: chunk idx covers bytes [idx * 1 MiB, (idx + 1) * 1 MiB). An index with no row
-- reads as zeros, so that all-zero chunks cost nothing.
CREATE TABLE blob_content_chunks (
    content INTEGER NOT NULL,
    idx     INTEGER NOT NULL,
    hash    TEXT    NOT NULL,
    PRIMARY KEY (content, idx)
) WITHOUT ROWID;
CREATE INDEX blob_content_chunks_by_hash ON blob_content_chunks (hash, content);

-- A stored chunk: its file holds `size` bytes (the zeros after its last non-zero block are not stored).
-- refs: how many contents have it in their map, and a chunk at 0 references is deleted and its file unlinked.
CREATE TABLE blob_chunks (
    hash TEXT    NOT NULL PRIMARY KEY,
    size INTEGER NOT NULL,
    refs INTEGER NOT NULL
) WITHOUT ROWID;

-- Blob names: account, container and name (the path below the container, case-sensitive).
CREATE TABLE blobs (
    account   TEXT    NOT NULL,
    container TEXT    NOT NULL,
    name      TEXT    NOT NULL,
    content   INTEGER NOT NULL,
    PRIMARY KEY (account, container, name)
) WITHOUT ROWID;
