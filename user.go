package portalescuole

import "time"

// Role is what a user may see and do.
type Role string

const (
	RolePlesso   Role = "plesso"   // its own plesso only
	RoleIstituto Role = "istituto" // the plessi of its istituto
	RoleATS      Role = "ats"      // the whole territory
	RoleAdmin    Role = "admin"    // users, settings, audit, imports
)

// Valid reports whether r is one of the four roles.
func (r Role) Valid() bool {
	switch r {
	case RolePlesso, RoleIstituto, RoleATS, RoleAdmin:
		return true
	}
	return false
}

// User is an account. Plesso accounts belong to one plesso, istituto accounts
// to one istituto.
type User struct {
	ID           int64
	Username     string
	Role         Role
	Plesso       string
	Istituto     string
	Email        string
	MustChange   bool // password change forced at next login
	Disabled     bool
	FailedLogins int
	LockedUntil  time.Time
	CreatedAt    time.Time
	PasswordHash string
}

// Territory reports whether the user sees every plesso.
func (u *User) Territory() bool {
	return u.Role == RoleATS || u.Role == RoleAdmin
}

// CanAccessPlesso is the one authorisation rule for plesso data: a plesso
// account sees only itself, an istituto account its istituto's plessi, ATS
// and admin everything.
func (u *User) CanAccessPlesso(p *Plesso) bool {
	if u == nil || p == nil {
		return false
	}
	switch u.Role {
	case RoleATS, RoleAdmin:
		return true
	case RoleIstituto:
		return u.Istituto != "" && p.Istituto == u.Istituto
	case RolePlesso:
		return u.Plesso != "" && p.Codice == u.Plesso
	}
	return false
}

// Actor is who performs a write, for the audit log.
type Actor struct {
	UserID   int64
	Username string
	IP       string
}

// SystemActor is used by commands run from the shell.
var SystemActor = Actor{Username: "sistema"}

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	ID       int64
	At       time.Time
	UserID   int64
	Username string
	IP       string
	Action   string // e.g. "login.ok", "consistenza.add", "import.commit"
	Entity   string // e.g. "plesso:CREE80102B"
	Detail   string // JSON: what changed
}

// AuditFilter selects audit entries; zero fields match everything.
type AuditFilter struct {
	Username string
	Action   string // prefix match
	Entity   string // prefix match
	From, To time.Time
	Limit    int
	Offset   int
}
