package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	ps "github.com/portalescuole/portalescuole"
)

// APIToken is a register vendor's credential for one plesso. Only its
// SHA-256 is stored: a token is 160 random bits, so a fast hash is enough
// (unlike passwords), and it is shown once at creation.
type APIToken struct {
	ID         int64
	Plesso     string
	Nome       string
	Prefisso   string // first characters, to recognise it in lists
	CreatoIl   time.Time
	CreatoDa   string
	RevocatoIl time.Time
	UsatoIl    time.Time
}

func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

// tokenTable is where a token lives: the plesso's, or the ATS's when
// plesso is "".
func tokenTable(plesso string) string {
	if plesso == "" {
		return "ats_tokens"
	}
	return "api_tokens"
}

// CreateToken issues a token for a plesso (or, with plesso "", for the ATS)
// and returns it in clear, once.
func (db *DB) CreateToken(ctx context.Context, a ps.Actor, plesso, nome string) (string, APIToken, error) {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return "", APIToken{}, fmt.Errorf("CreateToken: %w", err)
	}
	tok := "ps_" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
	t := APIToken{Plesso: plesso, Nome: nome, Prefisso: tok[:9], CreatoIl: db.Now().UTC(), CreatoDa: a.Username}
	err := db.withTx(ctx, func(tx querierTx) error {
		var err error
		if plesso == "" {
			err = tx.QueryRowContext(ctx, `INSERT INTO ats_tokens (nome, prefisso, hash, creato_il, creato_da) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
				nome, t.Prefisso, hashToken(tok), ts(t.CreatoIl), t.CreatoDa).Scan(&t.ID)
		} else {
			err = tx.QueryRowContext(ctx, `INSERT INTO api_tokens (plesso, nome, prefisso, hash, creato_il, creato_da) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
				plesso, nome, t.Prefisso, hashToken(tok), ts(t.CreatoIl), t.CreatoDa).Scan(&t.ID)
		}
		if err != nil {
			return fmt.Errorf("CreateToken: %w", err)
		}
		return db.audit(ctx, tx, a, "token.create", tokenEntity(plesso), map[string]any{"id": t.ID, "nome": nome, "prefisso": t.Prefisso})
	})
	return tok, t, err
}

func tokenEntity(plesso string) string {
	if plesso == "" {
		return "ats"
	}
	return "plesso:" + plesso
}

// TokenPlesso authenticates a token: the plesso it belongs to ("" for an
// ATS token), or ENotFound for an unknown or revoked token. It records the
// last use.
func (db *DB) TokenPlesso(ctx context.Context, tok string) (APIToken, error) {
	t, _, _, err := db.TokenConDati(ctx, tok, ps.AnnoDi(db.Now()))
	return t, err
}

// TokenConDati is TokenPlesso that also returns, for a plesso's token, the
// plesso and its DatiInvio of school year anno (nil for an ATS token), all
// read in one query: every API request starts here, 40,000 of them in an
// emergency morning, and a submission then needs nothing else read before
// it is queued for the group commit.
func (db *DB) TokenConDati(ctx context.Context, tok string, anno ps.AnnoScolastico) (APIToken, *ps.Plesso, *DatiInvio, error) {
	// One row per enrolment revision of the year (at least one). The ATS
	// branch fills the plesso's columns with empty values of the same
	// types (plessoVuoto, datiInvioVuoti), so both scan alike.
	rows, err := db.hot().QueryContext(ctx, `SELECT t.id, t.plesso, t.nome, t.prefisso, t.creato_il, t.creato_da, t.revocato_il, t.usato_il,
		`+plessoCols+`, `+datiInvioCols("t.plesso")+`
		FROM api_tokens t JOIN plessi p ON p.codice = t.plesso LEFT JOIN comuni c ON c.codice_catastale = p.codice_catastale AND p.codice_catastale <> ''`+
		datiInvioJoin("t.plesso")+`
		WHERE t.hash = $1
		UNION ALL SELECT id, '', nome, prefisso, creato_il, creato_da, revocato_il, usato_il, `+plessoVuoto+`, `+datiInvioVuoti+`
		FROM ats_tokens WHERE hash = $1`, hashToken(tok), int(anno))
	if err != nil {
		return APIToken{}, nil, nil, fmt.Errorf("TokenConDati: %w", err)
	}
	defer rows.Close()
	var t APIToken
	var creato, revocato, usato string
	var lp lettorePlesso
	var l lettoreDati
	found := false
	for rows.Next() {
		dest := append([]any{&t.ID, &t.Plesso, &t.Nome, &t.Prefisso, &creato, &t.CreatoDa, &revocato, &usato}, lp.campi()...)
		if err := rows.Scan(append(dest, l.campi()...)...); err != nil {
			return APIToken{}, nil, nil, fmt.Errorf("TokenConDati: %w", err)
		}
		l.riga()
		found = true
	}
	if err := rows.Err(); err != nil {
		return APIToken{}, nil, nil, fmt.Errorf("TokenConDati: %w", err)
	}
	if !found {
		return t, nil, nil, notFound("token")
	}
	t.CreatoIl, t.RevocatoIl, t.UsatoIl = parseTS(creato), parseTS(revocato), parseTS(usato)
	if !t.RevocatoIl.IsZero() {
		return t, nil, nil, notFound("token")
	}
	// The last use is recorded at most once a minute: a vendor pushing
	// every day of every class must not add a write to each request.
	// The stamp is written in the background with others (tokens_bulk.go).
	if now := db.Now(); now.Sub(t.UsatoIl) > time.Minute {
		db.segnaUso(tokenTable(t.Plesso), t.ID, now)
	}
	if t.Plesso == "" {
		return t, nil, nil, nil
	}
	p := lp.plesso()
	d, err := db.datiInvio(ctx, &p, anno, &l)
	if err != nil {
		return APIToken{}, nil, nil, fmt.Errorf("TokenConDati: %w", err)
	}
	return t, &p, &d, nil
}

// Tokens lists a plesso's tokens (the ATS's with plesso ""), revoked ones
// included.
func (db *DB) Tokens(ctx context.Context, plesso string) ([]APIToken, error) {
	if plesso == "" {
		return queryAll(ctx, db.sql, func(s scanner) (t APIToken, err error) {
			var creato, revocato, usato string
			err = s.Scan(&t.ID, &t.Nome, &t.Prefisso, &creato, &t.CreatoDa, &revocato, &usato)
			t.CreatoIl, t.RevocatoIl, t.UsatoIl = parseTS(creato), parseTS(revocato), parseTS(usato)
			return t, err
		}, `SELECT id, nome, prefisso, creato_il, creato_da, revocato_il, usato_il FROM ats_tokens ORDER BY id DESC`)
	}
	return queryAll(ctx, db.sql, func(s scanner) (t APIToken, err error) {
		var creato, revocato, usato string
		err = s.Scan(&t.ID, &t.Plesso, &t.Nome, &t.Prefisso, &creato, &t.CreatoDa, &revocato, &usato)
		t.CreatoIl, t.RevocatoIl, t.UsatoIl = parseTS(creato), parseTS(revocato), parseTS(usato)
		return t, err
	}, `SELECT id, plesso, nome, prefisso, creato_il, creato_da, revocato_il, usato_il FROM api_tokens WHERE plesso = $1 ORDER BY id DESC`, plesso)
}

// RevokeToken revokes a token of the given plesso.
func (db *DB) RevokeToken(ctx context.Context, a ps.Actor, plesso string, id int64) error {
	return db.withTx(ctx, func(tx querierTx) error {
		var res sql.Result
		var err error
		if plesso == "" {
			res, err = tx.ExecContext(ctx, `UPDATE ats_tokens SET revocato_il = $1 WHERE id = $2 AND revocato_il = ''`, ts(db.Now()), id)
		} else {
			res, err = tx.ExecContext(ctx, `UPDATE api_tokens SET revocato_il = $1 WHERE id = $2 AND plesso = $3 AND revocato_il = ''`, ts(db.Now()), id, plesso)
		}
		if err != nil {
			return fmt.Errorf("RevokeToken: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("token")
		}
		return db.audit(ctx, tx, a, "token.revoke", tokenEntity(plesso), map[string]any{"id": strconv.FormatInt(id, 10)})
	})
}
