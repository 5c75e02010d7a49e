-- +goose Up
-- One row per revision of a day (classe = '') or of a class on that day.
-- assenti NULL with chiuso FALSE never happens: a row exists only when
-- something was reported, and "not reported" is the absence of a row.
CREATE TABLE assenze (
    id              INTEGER PRIMARY KEY,
    plesso          TEXT NOT NULL REFERENCES plessi (codice),
    giorno          TEXT NOT NULL,
    classe          TEXT NOT NULL DEFAULT '',
    revisione       INTEGER NOT NULL,
    chiuso          BOOLEAN NOT NULL DEFAULT FALSE,
    motivo_chiusura TEXT NOT NULL DEFAULT '',
    iscritti        INTEGER,
    assenti         INTEGER CHECK (assenti IS NULL OR assenti >= 0),
    febbre          INTEGER,
    gastro          INTEGER,
    altra_malattia  INTEGER,
    non_malattia    INTEGER,
    segnalato_il    TEXT NOT NULL,
    fonte           TEXT NOT NULL,
    creato_da       TEXT NOT NULL,
    UNIQUE (plesso, giorno, classe, revisione)
);
CREATE INDEX assenze_giorno ON assenze (giorno, plesso);

CREATE TABLE plessi_calendario (
    plesso     TEXT PRIMARY KEY REFERENCES plessi (codice),
    ambrosiano BOOLEAN NOT NULL DEFAULT FALSE,
    patrono    TEXT NOT NULL DEFAULT '',
    sei_giorni BOOLEAN NOT NULL DEFAULT FALSE,
    chiusure   TEXT NOT NULL DEFAULT ''
);

CREATE TABLE calendario_override (
    giorno    TEXT NOT NULL,
    provincia TEXT NOT NULL DEFAULT '',
    scuola    BOOLEAN NOT NULL,
    motivo    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (giorno, provincia)
);

CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY,
    plesso     TEXT NOT NULL REFERENCES plessi (codice),
    nome       TEXT NOT NULL,
    prefisso   TEXT NOT NULL,
    hash       TEXT NOT NULL UNIQUE,
    creato_il  TEXT NOT NULL,
    creato_da  TEXT NOT NULL,
    revocato_il TEXT NOT NULL DEFAULT '',
    usato_il   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX api_tokens_plesso ON api_tokens (plesso);

-- +goose Down
DROP TABLE api_tokens;
DROP TABLE calendario_override;
DROP TABLE plessi_calendario;
DROP TABLE assenze;
