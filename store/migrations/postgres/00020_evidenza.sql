-- +goose Up
-- An alert episode's highest accumulated evidence of a rise and the
-- threshold it was compared with (issue 20: shown beside the expected rate
-- and the 95% interval); NULL for a method without one (Farrington) and for
-- the episodes stored before.
ALTER TABLE segnali ADD COLUMN evidenza DOUBLE PRECISION;
ALTER TABLE segnali ADD COLUMN soglia_evidenza DOUBLE PRECISION;

-- +goose Down
ALTER TABLE segnali DROP COLUMN soglia_evidenza;
ALTER TABLE segnali DROP COLUMN evidenza;
