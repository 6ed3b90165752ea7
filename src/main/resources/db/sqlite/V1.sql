-- Resources of every provider: one row per resource, the provider's JSON document in body.
CREATE TABLE resources (
    key            TEXT    NOT NULL PRIMARY KEY,
    id             TEXT    NOT NULL,
    subscription   TEXT    NOT NULL,
    resource_group TEXT,
    type           TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    body           TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX resources_by_subscription ON resources (subscription, type, key);
CREATE INDEX resources_by_group ON resources (subscription, resource_group, type, key);

-- Long-running operations, written in the same transaction as the change they carry.
CREATE TABLE operations (
    id           TEXT    NOT NULL PRIMARY KEY,
    subscription TEXT    NOT NULL,
    namespace    TEXT    NOT NULL,
    location     TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    target       TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    start_time   INTEGER NOT NULL,
    end_time     INTEGER,
    due_at       INTEGER NOT NULL,
    input        TEXT,
    result       TEXT,
    http_status  INTEGER NOT NULL,
    error        TEXT,
    api_version  TEXT    NOT NULL
);
CREATE INDEX operations_by_status ON operations (status, target);
