package store

import (
	"context"
	"fmt"
	"strings"

	ps "github.com/portalescuole/portalescuole"
)

const userCols = `id, username, password_hash, role, plesso, istituto, email, must_change, disabled, failed_logins, locked_until, created_at`

func scanUser(s scanner) (ps.User, error) {
	var u ps.User
	var role, locked, created string
	err := s.Scan(&u.ID, &u.Username, &u.PasswordHash, &role, &u.Plesso, &u.Istituto, &u.Email, &u.MustChange,
		&u.Disabled, &u.FailedLogins, &locked, &created)
	u.Role = ps.Role(role)
	u.LockedUntil = parseTS(locked)
	u.CreatedAt = parseTS(created)
	return u, err
}

// NormalizeUsername is how usernames are compared: trimmed, lower case.
func NormalizeUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// CreateUser adds an account whose password hash the caller computed.
func (db *DB) CreateUser(ctx context.Context, a ps.Actor, u ps.User) (ps.User, error) {
	u.Username = NormalizeUsername(u.Username)
	if err := db.checkUser(ctx, u); err != nil {
		return u, fmt.Errorf("CreateUser: %w", err)
	}
	u.CreatedAt = db.Now().UTC()
	err := db.withTx(ctx, func(tx querierTx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO users (username, password_hash, role, plesso, istituto, email, must_change, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			u.Username, u.PasswordHash, string(u.Role), u.Plesso, u.Istituto, u.Email, u.MustChange, ts(u.CreatedAt)).Scan(&u.ID)
		if isUniqueViolation(err) {
			return &ps.Error{Code: ps.EConflict, Message: "err.user.exists", Err: err}
		} else if err != nil {
			return fmt.Errorf("CreateUser: %w", err)
		}
		return db.audit(ctx, tx, a, "user.create", "user:"+u.Username,
			map[string]string{"role": string(u.Role), "plesso": u.Plesso, "istituto": u.Istituto})
	})
	return u, err
}

func (db *DB) checkUser(ctx context.Context, u ps.User) error {
	fields := map[string]string{}
	if u.Username == "" || len(u.Username) > 64 || strings.ContainsAny(u.Username, " \t\r\n") {
		fields["username"] = "err.user.username"
	}
	if !u.Role.Valid() {
		fields["role"] = "err.user.role"
	}
	switch u.Role {
	case ps.RolePlesso:
		if u.Plesso == "" {
			fields["plesso"] = "err.user.plesso_required"
		} else if _, err := db.Plesso(ctx, u.Plesso); err != nil {
			fields["plesso"] = "err.notfound.plesso"
		}
	case ps.RoleIstituto:
		if u.Istituto == "" {
			fields["istituto"] = "err.user.istituto_required"
		} else if _, err := db.Istituto(ctx, u.Istituto); err != nil {
			fields["istituto"] = "err.notfound.istituto"
		}
	}
	if len(fields) > 0 {
		return &ps.Error{Code: ps.EInvalid, Message: "err.form", Fields: fields}
	}
	return nil
}

// UserByUsername finds an account by its (normalised) username.
func (db *DB) UserByUsername(ctx context.Context, username string) (*ps.User, error) {
	u, err := scanUser(db.sql.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE username = $1`, NormalizeUsername(username)))
	if isNoRows(err) {
		return nil, notFound("user")
	} else if err != nil {
		return nil, fmt.Errorf("UserByUsername: %w", err)
	}
	return &u, nil
}

// UserByID finds an account by id.
func (db *DB) UserByID(ctx context.Context, id int64) (*ps.User, error) {
	u, err := scanUser(db.sql.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = $1`, id))
	if isNoRows(err) {
		return nil, notFound("user")
	} else if err != nil {
		return nil, fmt.Errorf("UserByID: %w", err)
	}
	return &u, nil
}

// Users lists accounts, optionally of one role.
func (db *DB) Users(ctx context.Context, role ps.Role) ([]ps.User, error) {
	q := `SELECT ` + userCols + ` FROM users`
	var args []any
	if role != "" {
		q += ` WHERE role = $1`
		args = append(args, string(role))
	}
	return queryAll(ctx, db.sql, scanUser, q+` ORDER BY username`, args...)
}

// RecordLogin audits a login attempt. Accounts are never locked here: a
// lock that anyone can trigger would be a weapon against the schools (their
// usernames are public codes); the web layer slows down failures per
// address instead. A success clears the legacy lock columns.
func (db *DB) RecordLogin(ctx context.Context, a ps.Actor, username string, userID int64, ok bool, reason string) error {
	return db.withTx(ctx, func(tx querierTx) error {
		action := "login.ok"
		if !ok {
			action = "login.fail"
		}
		if userID != 0 && ok {
			if _, err := tx.ExecContext(ctx, `UPDATE users SET failed_logins = 0, locked_until = '' WHERE id = $1`, userID); err != nil {
				return fmt.Errorf("RecordLogin: %w", err)
			}
		}
		a.UserID = userID
		a.Username = NormalizeUsername(username)
		detail := map[string]string{}
		if reason != "" {
			detail["motivo"] = reason
		}
		return db.audit(ctx, tx, a, action, "user:"+a.Username, detail)
	})
}

// SetPassword stores a new hash. mustChange forces a change at next login
// (a reset by the ATS); a user's own change clears it.
func (db *DB) SetPassword(ctx context.Context, a ps.Actor, userID int64, hash string, mustChange bool, action string) error {
	return db.withTx(ctx, func(tx querierTx) error {
		var username string
		err := tx.QueryRowContext(ctx, `UPDATE users SET password_hash = $1, must_change = $2, failed_logins = 0, locked_until = ''
			WHERE id = $3 RETURNING username`, hash, mustChange, userID).Scan(&username)
		if isNoRows(err) {
			return notFound("user")
		} else if err != nil {
			return fmt.Errorf("SetPassword: %w", err)
		}
		return db.audit(ctx, tx, a, action, "user:"+username, nil)
	})
}

// PlessoUsers returns the plesso accounts keyed by plesso codice.
func (db *DB) PlessoUsers(ctx context.Context) (map[string]ps.User, error) {
	users, err := db.Users(ctx, ps.RolePlesso)
	if err != nil {
		return nil, fmt.Errorf("PlessoUsers: %w", err)
	}
	out := make(map[string]ps.User, len(users))
	for _, u := range users {
		out[u.Plesso] = u
	}
	return out, nil
}

// CreateUsers adds many accounts in one transaction (the bulk issue of
// initial credentials): all are created or none.
func (db *DB) CreateUsers(ctx context.Context, a ps.Actor, users []ps.User) error {
	now := ts(db.Now())
	return db.withTx(ctx, func(tx querierTx) error {
		for _, u := range users {
			_, err := tx.ExecContext(ctx, `INSERT INTO users (username, password_hash, role, plesso, istituto, email, must_change, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, TRUE, $7)`,
				NormalizeUsername(u.Username), u.PasswordHash, string(u.Role), u.Plesso, u.Istituto, u.Email, now)
			if isUniqueViolation(err) {
				return &ps.Error{Code: ps.EConflict, Message: "err.user.exists", Err: err}
			} else if err != nil {
				return fmt.Errorf("CreateUsers: %w", err)
			}
		}
		names := make([]string, len(users))
		for i, u := range users {
			names[i] = u.Username
		}
		return db.audit(ctx, tx, a, "user.create.bulk", "users", map[string]any{"n": len(users), "usernames": names})
	})
}
