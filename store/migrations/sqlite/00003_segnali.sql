-- +goose Up
-- A signal is unique per series, day and method: rerunning detection on
-- the same data adds nothing.
CREATE TABLE segnali (
    id          INTEGER PRIMARY KEY,
    serie       TEXT NOT NULL,
    giorno      TEXT NOT NULL,
    osservato   DOUBLE PRECISION NOT NULL,
    atteso      DOUBLE PRECISION NOT NULL,
    soglia      DOUBLE PRECISION NOT NULL,
    metodo      TEXT NOT NULL,
    parametri   TEXT NOT NULL,
    contributi  TEXT NOT NULL,
    plessi      INTEGER NOT NULL,
    completezza DOUBLE PRECISION NOT NULL,
    copertura   DOUBLE PRECISION NOT NULL,
    creato_il   TEXT NOT NULL,
    stato       TEXT NOT NULL,
    assegnato   TEXT NOT NULL DEFAULT '',
    UNIQUE (serie, giorno, metodo)
);
CREATE INDEX segnali_stato ON segnali (stato, giorno);

CREATE TABLE segnali_storia (
    id        INTEGER PRIMARY KEY,
    segnale   BIGINT NOT NULL REFERENCES segnali (id),
    at        TEXT NOT NULL,
    username  TEXT NOT NULL,
    da        TEXT NOT NULL DEFAULT '',
    a         TEXT NOT NULL DEFAULT '',
    nota      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX segnali_storia_segnale ON segnali_storia (segnale, id);

-- InfluNet weekly school-age incidence (Lombardy), imported by the ATS.
CREATE TABLE influnet (
    settimana TEXT PRIMARY KEY,
    stagione  TEXT NOT NULL,
    incidenza DOUBLE PRECISION NOT NULL
);

-- +goose Down
DROP TABLE influnet;
DROP TABLE segnali_storia;
DROP TABLE segnali;
