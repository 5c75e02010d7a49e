package web

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/auth"
	"github.com/portalescuole/portalescuole/metrics"
	"github.com/portalescuole/portalescuole/store"
)

// passwordStamp identifies the password a session was opened with: the
// session keeps it, and authorize ends any session whose stamp no longer
// matches the account's (the password was changed or reset). Each hash has
// its own salt, so every new password gets a new stamp.
func passwordStamp(hash string) string {
	sum := sha256.Sum256([]byte(hash))
	return hex.EncodeToString(sum[:8])
}

// secondi rounds a wait up to whole seconds, for messages and Retry-After.
func secondi(d time.Duration) int { return int((d + time.Second - 1) / time.Second) }

// attesa writes a wait for people: seconds up to two minutes, then minutes.
func attesa(lang string, d time.Duration) string {
	n := secondi(d)
	if n < 120 {
		if lang == langEN {
			return strconv.Itoa(n) + " seconds"
		}
		return strconv.Itoa(n) + " secondi"
	}
	m := (n + 59) / 60
	if lang == langEN {
		return strconv.Itoa(m) + " minutes"
	}
	return strconv.Itoa(m) + " minuti"
}

// loginEntity is the audit entity of a login attempt, bounded: usernames
// are at most 64 characters, so a longer one is an attack and its
// beginning is enough to recognise it.
func loginEntity(username string) string {
	return "user:" + truncate(store.NormalizeUsername(username), 100)
}

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
		metrics.Login.WithLabelValues("rifiutato").Inc()
		d.Error = tr(c.lang, key)
		s.render(w, r, status, "login", s.newPage(r, c, "login.title", d))
	}
	a := actor(r, nil)
	now := s.now()
	if !s.limiters.allow(addrKey(a.IP), now) {
		s.auditLimited(r, a, "login.fail", loginEntity(username), map[string]string{"motivo": "limite per IP"})
		again(http.StatusTooManyRequests, "login.throttled.ip")
		return
	}
	// Throttling comes before the account is looked up, so that it reads the
	// same for accounts that exist and that do not. It slows the address
	// that failed; the account itself only after 100 failures in an hour
	// from everywhere (a guess spread over many addresses).
	addr := addrKey(a.IP)
	account := store.NormalizeUsername(username)
	pair := account + "\x00" + addr
	if wait := max(s.loginPair.wait(pair, now), s.loginAddr.wait(addr, now), s.loginUser.wait(account, now)); wait > 0 {
		metrics.Login.WithLabelValues("rifiutato").Inc()
		d.Error = tr(c.lang, "login.throttled", attesa(c.lang, wait))
		w.Header().Set("Retry-After", strconv.Itoa(secondi(wait)))
		s.render(w, r, http.StatusTooManyRequests, "login", s.newPage(r, c, "login.title", d))
		return
	}
	u, err := s.db.UserByUsername(r.Context(), username)
	if err != nil && ps.ErrorCode(err) != ps.ENotFound {
		s.fail(w, r, err)
		return
	}
	hash := s.dummyHash
	if u != nil {
		hash = u.PasswordHash
	}
	var ok bool
	if err := s.hash(r.Context(), func() { ok, _ = auth.Verify(password, hash) }); err != nil {
		return // client gone
	}
	if u == nil || u.Disabled || !ok {
		// Unknown, disabled and wrong read alike: same status, message and
		// hash work; only the audit tells them apart.
		reason := "password"
		var uid int64
		switch {
		case u == nil:
			reason = "utente sconosciuto"
		case u.Disabled:
			reason, uid = "utenza disattivata", u.ID
		default:
			uid = u.ID
		}
		s.loginPair.fail(pair, now)
		s.loginAddr.fail(addr, now)
		s.loginUser.fail(account, now)
		// Audited the same way for all (the same database work, so no
		// timing difference); the throttles above bound how many rows an
		// address can cause, and the store cuts long usernames.
		if err := s.db.RecordLogin(r.Context(), a, truncate(username, 100), uid, false, reason); err != nil {
			s.fail(w, r, err)
			return
		}
		again(http.StatusUnauthorized, "login.failed")
		return
	}
	s.loginPair.reset(pair)
	metrics.Login.WithLabelValues("ok").Inc()
	if err := s.db.RecordLogin(r.Context(), a, username, u.ID, true, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	// A new token at login defeats session fixation.
	if err := s.sessions.RenewToken(r.Context()); err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "uid", u.ID)
	s.sessions.Put(r.Context(), "pw", passwordStamp(u.PasswordHash))
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
	args := map[string][]any{}
	// Wrong guesses of the current password (a session left open on a
	// shared PC) are slowed down per user.
	key := strconv.FormatInt(c.user.ID, 10)
	now := s.now()
	status := http.StatusUnprocessableEntity
	if wait := s.pwCurrent.wait(key, now); wait > 0 {
		fields["current"] = "err.password.throttled"
		args["current"] = []any{attesa(c.lang, wait)}
		status = http.StatusTooManyRequests
		w.Header().Set("Retry-After", strconv.Itoa(secondi(wait)))
	} else {
		var ok bool
		if err := s.hash(r.Context(), func() { ok, _ = auth.Verify(cur, c.user.PasswordHash) }); err != nil {
			return
		}
		if !ok {
			fields["current"] = "err.password.current"
			s.pwCurrent.fail(key, now)
			s.db.Audit(r.Context(), actor(r, c.user), "password.fail", "user:"+c.user.Username, nil)
		} else {
			s.pwCurrent.reset(key)
		}
	}
	st, err := s.db.Settings(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if k := auth.CheckNew(nw, c.user.Username, c.user.Plesso, st.NomeATS); k != "" {
		fields["new"] = k
	} else if nw == cur {
		fields["new"] = "err.password.same"
	}
	if nw != conf {
		fields["confirm"] = "err.password.mismatch"
	}
	if len(fields) > 0 {
		p := s.newPage(r, c, "password.title", nil)
		p.setErrors(fields, []string{"current", "new", "confirm"}, args)
		s.render(w, r, status, "password", p)
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
	// Every other session of the user ends (its stamp no longer matches);
	// this one continues under a new token and the new stamp.
	s.sessions.RenewToken(r.Context())
	s.sessions.Put(r.Context(), "pw", passwordStamp(hash))
	s.sessions.Put(r.Context(), "flash", tr(c.lang, "password.changed"))
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
