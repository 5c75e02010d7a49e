-- +goose Up
-- API tokens of the ATS itself (read access to series, records, alerts and
-- completeness); plesso tokens stay in api_tokens.
CREATE TABLE ats_tokens (
    id          INTEGER PRIMARY KEY,
    nome        TEXT NOT NULL,
    prefisso    TEXT NOT NULL,
    hash        TEXT NOT NULL UNIQUE,
    creato_il   TEXT NOT NULL,
    creato_da   TEXT NOT NULL,
    revocato_il TEXT NOT NULL DEFAULT '',
    usato_il    TEXT NOT NULL DEFAULT ''
);

-- The weekly bulletin travels as a PDF attachment.
ALTER TABLE outbox ADD COLUMN allegato_nome TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN allegato BLOB;

-- +goose Down
ALTER TABLE outbox DROP COLUMN allegato;
ALTER TABLE outbox DROP COLUMN allegato_nome;
DROP TABLE ats_tokens;
