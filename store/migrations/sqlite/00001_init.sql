-- +goose Up
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE distretti (
    codice TEXT PRIMARY KEY,
    nome   TEXT NOT NULL
);

CREATE TABLE comuni (
    codice_istat     TEXT PRIMARY KEY,
    nome             TEXT NOT NULL,
    provincia        TEXT NOT NULL,
    codice_catastale TEXT NOT NULL UNIQUE,
    distretto        TEXT NOT NULL DEFAULT ''
);

CREATE TABLE istituti (
    codice TEXT PRIMARY KEY,
    nome   TEXT NOT NULL
);

CREATE TABLE plessi (
    codice           TEXT PRIMARY KEY,
    nome             TEXT NOT NULL,
    istituto         TEXT NOT NULL DEFAULT '',
    grado            TEXT NOT NULL,
    paritaria        BOOLEAN NOT NULL DEFAULT FALSE,
    indirizzo        TEXT NOT NULL DEFAULT '',
    codice_catastale TEXT NOT NULL DEFAULT '',
    comune_nome      TEXT NOT NULL DEFAULT '',
    email            TEXT NOT NULL DEFAULT '',
    attivo           BOOLEAN NOT NULL DEFAULT TRUE,
    provincia        TEXT NOT NULL
);
CREATE INDEX plessi_istituto ON plessi (istituto);

CREATE TABLE sentinelle (
    plesso TEXT NOT NULL REFERENCES plessi (codice),
    anno   INTEGER NOT NULL,
    PRIMARY KEY (plesso, anno)
);

CREATE TABLE studenti_mim (
    plesso   TEXT NOT NULL,
    anno     INTEGER NOT NULL,
    studenti INTEGER NOT NULL,
    PRIMARY KEY (plesso, anno)
);

CREATE TABLE consistenze (
    id         INTEGER PRIMARY KEY,
    plesso     TEXT NOT NULL REFERENCES plessi (codice),
    anno       INTEGER NOT NULL,
    revisione  INTEGER NOT NULL,
    iscritti   INTEGER NOT NULL CHECK (iscritti >= 0),
    classi     INTEGER NOT NULL CHECK (classi >= 1),
    valido_dal TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    creato_il  TEXT NOT NULL,
    creato_da  TEXT NOT NULL,
    UNIQUE (plesso, anno, revisione)
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL,
    plesso        TEXT NOT NULL DEFAULT '',
    istituto      TEXT NOT NULL DEFAULT '',
    email         TEXT NOT NULL DEFAULT '',
    must_change   BOOLEAN NOT NULL DEFAULT TRUE,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL
);
CREATE INDEX users_plesso ON users (plesso);

CREATE TABLE audit (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    user_id  INTEGER NOT NULL DEFAULT 0,
    username TEXT NOT NULL,
    ip       TEXT NOT NULL DEFAULT '',
    action   TEXT NOT NULL,
    entity   TEXT NOT NULL DEFAULT '',
    detail   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_at ON audit (at);
CREATE INDEX audit_action ON audit (action, at);
CREATE INDEX audit_entity ON audit (entity, at);

CREATE TABLE sessions (
    token  TEXT PRIMARY KEY,
    data   BLOB NOT NULL,
    expiry TEXT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expiry);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    created_at      TEXT NOT NULL,
    kind            TEXT NOT NULL,
    dedupe_key      TEXT NOT NULL UNIQUE,
    to_addr         TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    sent_at         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

CREATE TABLE import_runs (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    username TEXT NOT NULL,
    kind     TEXT NOT NULL,
    filename TEXT NOT NULL,
    sha256   TEXT NOT NULL,
    added    INTEGER NOT NULL,
    changed  INTEGER NOT NULL,
    retired  INTEGER NOT NULL,
    report   TEXT NOT NULL
);

-- +goose Down
DROP TABLE import_runs;
DROP TABLE outbox;
DROP TABLE sessions;
DROP TABLE audit;
DROP TABLE users;
DROP TABLE consistenze;
DROP TABLE studenti_mim;
DROP TABLE sentinelle;
DROP TABLE plessi;
DROP TABLE istituti;
DROP TABLE comuni;
DROP TABLE distretti;
DROP TABLE settings;
