-- +goose Up
-- A signal becomes an alert episode: giorno is its first alarm day, al its
-- last, picco the day whose values are kept; notificato is the peak rate
-- last e-mailed, so that a rise is announced once, not every day.
ALTER TABLE segnali ADD COLUMN al TEXT NOT NULL DEFAULT '';
ALTER TABLE segnali ADD COLUMN picco TEXT NOT NULL DEFAULT '';
ALTER TABLE segnali ADD COLUMN giorni INTEGER NOT NULL DEFAULT 1;
ALTER TABLE segnali ADD COLUMN iscritti INTEGER NOT NULL DEFAULT 0;
ALTER TABLE segnali ADD COLUMN notificato DOUBLE PRECISION NOT NULL DEFAULT 0;
UPDATE segnali SET al = giorno, picco = giorno;
CREATE INDEX segnali_serie ON segnali (serie, metodo, al);

-- Data anomalies: isolated jumps to verify with the plesso, not alerts.
CREATE TABLE anomalie (
    id        INTEGER PRIMARY KEY,
    serie     TEXT NOT NULL,
    giorno    TEXT NOT NULL,
    osservato DOUBLE PRECISION NOT NULL,
    atteso    DOUBLE PRECISION NOT NULL,
    metodo    TEXT NOT NULL,
    plessi    INTEGER NOT NULL,
    creato_il TEXT NOT NULL,
    UNIQUE (serie, giorno, metodo)
);
CREATE INDEX anomalie_giorno ON anomalie (giorno);

-- +goose Down
DROP TABLE anomalie;
DROP INDEX segnali_serie;
ALTER TABLE segnali DROP COLUMN notificato;
ALTER TABLE segnali DROP COLUMN iscritti;
ALTER TABLE segnali DROP COLUMN giorni;
ALTER TABLE segnali DROP COLUMN picco;
ALTER TABLE segnali DROP COLUMN al;
