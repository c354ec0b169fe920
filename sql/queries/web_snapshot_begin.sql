-- The web view reads each page inside one transaction: its queries see one snapshot of the lake
-- (numbers that agree with each other while an import commits) and the catalog is read once.
BEGIN TRANSACTION;
