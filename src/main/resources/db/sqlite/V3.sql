-- What resources reference (a VM its disks, a NIC its subnet), for "in use" refusals: one row per reference,
-- written with the referencing document (Store.indexReferences).
CREATE TABLE resource_refs (
    target TEXT NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (target, source)
) WITHOUT ROWID;
CREATE INDEX resource_refs_by_source ON resource_refs (source);
