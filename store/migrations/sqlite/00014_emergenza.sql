-- +goose Up
-- Emergency mode: periods in which every plesso of a scope reports daily.
-- ambito is a watched-series key (territorio, provincia:CR, distretto:X,
-- grado:primaria); dal/al are the first and last day ('' while open);
-- scadenza is the daily deadline (HH:MM, Europe/Rome).
CREATE TABLE emergenze (
    id         INTEGER PRIMARY KEY,
    ambito     TEXT NOT NULL,
    dal        TEXT NOT NULL,
    al         TEXT NOT NULL DEFAULT '',
    frequenza  TEXT NOT NULL DEFAULT 'giornaliera',
    scadenza   TEXT NOT NULL DEFAULT '10:00',
    avviata_da TEXT NOT NULL,
    avviata_il TEXT NOT NULL,
    chiusa_da  TEXT NOT NULL DEFAULT '',
    chiusa_il  TEXT NOT NULL DEFAULT ''
);
-- At most one open period per scope.
CREATE UNIQUE INDEX emergenze_aperta ON emergenze (ambito) WHERE chiusa_il = '';

-- Change counters read by the in-memory aggregates to know when to
-- rebuild (sentinelle: bumped by every change of a sentinel designation).
CREATE TABLE contatori (
    nome TEXT PRIMARY KEY,
    n    BIGINT NOT NULL
);

-- +goose Down
DROP TABLE contatori;
DROP TABLE emergenze;
