package web

import (
	"net/http"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/auth"
	"github.com/portalescuole/portalescuole/metriche"
)

// dummyHash is verified when the username is unknown, so that the answer
// takes as long as for a real account and does not reveal which exist.
var dummyHash, _ = auth.Hash("portale-scuole-dummy", auth.DefaultParams)

type loginData struct {
	Username string
	Next     string
	Error    string
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	if c.user != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "login", s.newPage(r, c, "login.title", loginData{Next: safeNext(r.URL.Query().Get("next"))}))
}

func (s *Server) login(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	username := r.PostFormValue("username")
	password := r.PostFormValue("password")
	d := loginData{Username: username, Next: safeNext(r.PostFormValue("next"))}
	again := func(status int, key string) {
		metriche.Login.WithLabelValues("rifiutato").Inc()
		d.Error = tr(c.lang, key)
		s.render(w, r, status, "login", s.newPage(r, c, "login.title", d))
	}
	a := actor(r, nil)
	now := s.now()
	if !s.limiters.allow(a.IP, now) {
		s.db.RecordLogin(r.Context(), a, username, 0, false, "limite per IP")
		again(http.StatusTooManyRequests, "login.throttled")
		return
	}
	u, err := s.db.UserByUsername(r.Context(), username)
	if err != nil && ps.ErrorCode(err) != ps.ENotFound {
		s.fail(w, r, err)
		return
	}
	hash := dummyHash
	if u != nil {
		hash = u.PasswordHash
	}
	var ok bool
	if err := s.hash(r.Context(), func() { ok, _ = auth.Verify(password, hash) }); err != nil {
		return // client gone
	}
	switch {
	case u == nil:
		s.db.RecordLogin(r.Context(), a, username, 0, false, "utente sconosciuto")
		again(http.StatusUnauthorized, "login.failed")
		return
	case u.LockedUntil.After(now):
		// Locked accounts are refused even with the right password.
		s.db.RecordLogin(r.Context(), a, username, u.ID, false, "account bloccato")
		again(http.StatusTooManyRequests, "login.locked")
		return
	case u.Disabled:
		s.db.RecordLogin(r.Context(), a, username, u.ID, false, "utenza disattivata")
		again(http.StatusForbidden, "login.disabled")
		return
	case !ok:
		until, err := s.db.RecordLogin(r.Context(), a, username, u.ID, false, "password")
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if !until.IsZero() {
			again(http.StatusTooManyRequests, "login.locked")
			return
		}
		again(http.StatusUnauthorized, "login.failed")
		return
	}
	metriche.Login.WithLabelValues("ok").Inc()
	if _, err := s.db.RecordLogin(r.Context(), a, username, u.ID, true, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	// A new token at login defeats session fixation.
	if err := s.sessions.RenewToken(r.Context()); err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "uid", u.ID)
	if u.MustChange {
		http.Redirect(w, r, "/password", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, d.Next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	s.db.Audit(r.Context(), actor(r, c.user), "logout", "user:"+c.user.Username, nil)
	if err := s.sessions.Destroy(r.Context()); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func (s *Server) passwordPage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	s.render(w, r, http.StatusOK, "password", s.newPage(r, c, "password.title", nil))
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	cur, nw, conf := r.PostFormValue("current"), r.PostFormValue("new"), r.PostFormValue("confirm")
	fields := map[string]string{}
	var ok bool
	if err := s.hash(r.Context(), func() { ok, _ = auth.Verify(cur, c.user.PasswordHash) }); err != nil {
		return
	}
	if !ok {
		fields["current"] = "err.password.current"
	}
	if k := auth.CheckNew(nw, c.user.Username); k != "" {
		fields["new"] = k
	} else if nw == cur {
		fields["new"] = "err.password.same"
	}
	if nw != conf {
		fields["confirm"] = "err.password.mismatch"
	}
	if len(fields) > 0 {
		p := s.newPage(r, c, "password.title", nil)
		p.setErrors(fields, []string{"current", "new", "confirm"}, nil)
		s.render(w, r, http.StatusUnprocessableEntity, "password", p)
		return
	}
	var hash string
	var herr error
	if err := s.hash(r.Context(), func() { hash, herr = auth.Hash(nw, s.cfg.HashParams) }); err != nil {
		return
	}
	if herr != nil {
		s.fail(w, r, herr)
		return
	}
	if err := s.db.SetPassword(r.Context(), actor(r, c.user), c.user.ID, hash, false, "password.change"); err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.RenewToken(r.Context())
	s.sessions.Put(r.Context(), "flash", tr(c.lang, "password.changed"))
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
