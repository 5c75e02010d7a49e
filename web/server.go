// Package web is Portale Scuole's HTTP interface: one route table
// (routes.go), one small file per group of actions, html/template pages with
// Bootstrap Italia, all assets embedded. Authorisation is decided in one
// place (authorize), from the route table and ps.User.CanAccessPlesso.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/portalescuole/portalescuole/allerta"

	"github.com/alexedwards/scs/v2"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/time/rate"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/auth"
	"github.com/portalescuole/portalescuole/metrics"
	"github.com/portalescuole/portalescuole/store"
)

// Config configures a Server.
type Config struct {
	DB     *store.DB
	Logger *slog.Logger
	// Now is the clock (tests move it).
	Now func() time.Time
	// SecureCookies sets the Secure flag on the session cookie; turn it off
	// only for plain-HTTP development on loopback.
	SecureCookies bool
	// HashParams are the argon2id costs of new passwords.
	HashParams auth.Params
	// HashConcurrency bounds simultaneous password hashes, so that a login
	// storm queues instead of exhausting memory; 0 means 2 × CPUs.
	HashConcurrency int
	// LoginRate and LoginBurst throttle login attempts per client IP.
	LoginRate  rate.Limit
	LoginBurst int
	// APIRate and APIBurst bound the requests of each API token.
	APIRate  rate.Limit
	APIBurst int
	// Wake, when set, is called after e-mails are queued (the mail worker).
	Wake func()
	// TrustedProxies are the reverse proxies whose X-Forwarded-For and
	// X-Forwarded-Proto are believed; from any other peer they are ignored.
	TrustedProxies []netip.Prefix
	// Motore is the detection engine and its in-memory aggregates, shared
	// with the server's background loop; nil makes one.
	Motore *allerta.Motore
	// Freschezza is how stale the dashboard and the public figures may be
	// while data keep arriving (zero: a minute); a negative value
	// recomputes them at every change (tests that read them at once).
	Freschezza time.Duration
}

// Server serves the portal.
type Server struct {
	cfg      Config
	db       *store.DB
	log      *slog.Logger
	now      func() time.Time
	sessions *scs.SessionManager
	pages    *pages
	hashSem  chan struct{}
	// dummyHash is verified when the username is unknown, with the costs
	// of real accounts, so that the answer takes as long as for one and
	// does not reveal which exist.
	dummyHash string
	limiters  *ipLimiters
	// Growing delays after failed logins: per (account, address), per
	// address, and per user for the current password on /password.
	loginPair, loginAddr, pwCurrent *throttle
	// loginUser counts an account's failures from every address: a guess
	// spread over many addresses is slowed too (ASVS 2.2.1).
	loginUser *throttle
	// apiFail slows down bad bearer tokens per address.
	apiFail *throttle
	// tokenRate bounds each API token's requests.
	tokenRate *ipLimiters
	repeats   auditRepeats
	routes    []Route
	handler   http.Handler
	// serieCache keeps the dashboard's series until the data change.
	motore     *allerta.Motore
	serieCache serieCache
	aggiornato atomic.Int64 // unix nanoseconds of the last refresh of the aggregates
	// vita is the server's lifetime: the work it starts outside a request
	// takes it, and Close cancels it and waits for that work, so nothing
	// runs on a closed database.
	vita        context.Context
	fineVita    context.CancelFunc
	inCorso     sync.WaitGroup
	paginaCache paginaCache
	// htmlCruscotto: the rendered dashboards (cruscotto.go).
	htmlCruscotto htmlCruscotto
	flight        flight
	pubblico      pubblicoCache // the public figures (web/pubblico.go)
}

// predefiniti fills the settings a Config leaves at zero.
func (cfg *Config) predefiniti() {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.HashParams == (auth.Params{}) {
		cfg.HashParams = auth.DefaultParams
	}
	if cfg.HashConcurrency <= 0 {
		cfg.HashConcurrency = 2 * runtime.NumCPU()
	}
	if cfg.LoginRate == 0 {
		cfg.LoginRate = rate.Every(6 * time.Second)
	}
	if cfg.LoginBurst == 0 {
		cfg.LoginBurst = 10
	}
	if cfg.APIRate == 0 {
		cfg.APIRate = 5
	}
	if cfg.APIBurst == 0 {
		cfg.APIBurst = 60
	}
}

// New builds a Server and its route table.
func New(cfg Config) (*Server, error) {
	cfg.predefiniti()
	pg, err := parsePages()
	if err != nil {
		return nil, err
	}
	sm := scs.New()
	sm.Store = cfg.DB.Sessions()
	sm.Lifetime = 12 * time.Hour
	sm.IdleTimeout = 2 * time.Hour
	sm.Cookie.Name = "ps_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = cfg.SecureCookies
	sm.Cookie.Path = "/"
	if cfg.Motore == nil {
		cfg.Motore = allerta.NuovoMotore(cfg.DB, nil)
	}
	vita, fine := context.WithCancel(context.Background())
	s := &Server{
		vita:     vita,
		fineVita: fine,
		motore:   cfg.Motore,
		cfg:      cfg,
		db:       cfg.DB,
		log:      cfg.Logger,
		now:      cfg.Now,
		sessions: sm,
		pages:    pg,
		hashSem:  make(chan struct{}, cfg.HashConcurrency),
		limiters: &ipLimiters{m: map[string]*ipLimiter{}, r: cfg.LoginRate, b: cfg.LoginBurst},
		// Five free tries per account and address, then 30 s, 1 min, 2 min …
		// up to 15 min; an address gets 20 free failures over all accounts.
		loginPair: newThrottle(5, 30*time.Second, 15*time.Minute, time.Hour),
		loginAddr: newThrottle(20, 30*time.Second, 15*time.Minute, time.Hour),
		// At most 100 failures an hour for an account, from anywhere, then
		// growing delays for it (never a lockout).
		loginUser: newThrottle(100, 30*time.Second, 15*time.Minute, time.Hour),
		pwCurrent: newThrottle(5, 30*time.Second, 15*time.Minute, time.Hour),
		apiFail:   newThrottle(10, 5*time.Second, 15*time.Minute, time.Hour),
		tokenRate: &ipLimiters{m: map[string]*ipLimiter{}, r: cfg.APIRate, b: cfg.APIBurst},
	}
	s.dummyHash, err = auth.Hash(auth.Generate(16), cfg.HashParams)
	if err != nil {
		return nil, err
	}
	// A session that cannot be read (the database gone) is answered by the
	// one error writer: 503 with Retry-After, not a bare 500.
	sm.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) { s.fail(w, r, err) }
	s.routes = s.routeTable()
	mux := http.NewServeMux()
	for _, rt := range s.routes {
		mux.Handle(rt.Method+" "+rt.Pattern, misura(rt.Pattern, s.authorize(rt)))
	}
	mux.Handle("GET /metrics", misura("/metrics", s.metrics()))
	metrics.RegistraOutbox(cfg.DB)
	mux.Handle("GET /static/", staticHandler())
	mux.Handle("GET /favicon.ico", favicon())
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		// "/" matches every method, so the mux never answers 405 itself:
		// a known path asked with another method is found here.
		if allow := allowed(mux, r); len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			if isAPI(r) {
				s.fail(w, r, &ps.Error{Code: ps.EMethod, Message: ps.Msg("api.err.metodo", r.Method, strings.Join(allow, ", "))})
				return
			}
			c := &reqCtx{lang: langOf(r)}
			p := s.newPage(r, c, "err.title", nil)
			p.Data = tr(c.lang, "err.method")
			s.render(w, r, http.StatusMethodNotAllowed, "error", p)
			return
		}
		s.fail(w, r, &ps.Error{Code: ps.ENotFound, Message: "err.notfound.page"})
	})
	s.handler = s.catena(mux, sm)
	return s, nil
}

// catena wraps the route table in the request's layers, innermost first
// (ARCHITECTURE.md, "A request", lists them outermost first).
func (s *Server) catena(mux http.Handler, sm *scs.SessionManager) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, &ps.Error{Code: ps.EForbidden, Message: "err.forbidden"})
	}))
	var h http.Handler = mux
	h = sm.LoadAndSave(h)
	h = cop.Handler(h)
	h = s.rifiutaTesti(h)
	h = limitBody(h)
	h = securityHeaders(h)
	h = s.recoverer(h)
	h = s.clientInfo(h)
	// The health check answers before the session layer, which needs the
	// database too: with the database gone the first check said 500.
	inner := h
	h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			s.healthz(w, r, nil)
			return
		}
		inner.ServeHTTP(w, r)
	})
	return compress(h)
}

// allowed lists the methods the route table serves for r's path.
func allowed(mux *http.ServeMux, r *http.Request) []string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		if m == r.Method || (m == http.MethodGet && r.Method == http.MethodHead) {
			continue
		}
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pat := mux.Handler(probe); pat != "" && pat != "/" {
			out = append(out, m)
			if m == http.MethodGet {
				out = append(out, http.MethodHead)
			}
		}
	}
	return out
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Routes returns the route table (the authorisation matrix test walks it).
func (s *Server) Routes() []Route { return s.routes }

// CleanupSessions deletes expired sessions every interval until ctx ends.
// inBackground runs fn outside the request that asked for it, with the
// server's lifetime context; Close waits for it.
func (s *Server) inBackground(fn func(ctx context.Context)) {
	s.inCorso.Add(1)
	go func() {
		defer s.inCorso.Done()
		fn(s.vita)
	}()
}

// Close ends the server's background work and waits for it: call it after
// the HTTP server has shut down and before the database closes.
func (s *Server) Close() {
	s.fineVita()
	s.inCorso.Wait()
}

func (s *Server) CleanupSessions(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := s.db.Sessions().Cleanup(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("session cleanup", "err", err)
			}
		}
	}
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		// No inline script or style anywhere: every script is a file under /static.
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		// Direct TLS, or HTTPS at a trusted proxy (X-Forwarded-Proto).
		if isHTTPS(r) {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// Body limits: forms are small; only register imports carry files.
const (
	maxFormBody   = 1 << 20
	maxUploadBody = 32 << 20
)

func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := int64(maxFormBody)
		if r.URL.Path == "/ats/import" || strings.HasSuffix(r.URL.Path, "/assenze/file") {
			limit = maxUploadBody
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

// maxTesto is the longest text a form field or a query parameter takes:
// the longest note is far shorter; a search of 50,000 characters made
// SQLite fail ("LIKE pattern too complex").
const maxTesto = 10000

// rifiutaTesti answers 422 to a form or query value that holds a control
// character (NUL was refused by PostgreSQL, stored by SQLite, and broke a
// backup's restore) or is longer than maxTesto, naming the field; nothing
// is stored. Multipart bodies (files) are checked by their own parsers.
func (s *Server) rifiutaTesti(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "multipart/") && !strings.HasPrefix(ct, "application/json") {
			if err := parseForm(r); err != nil {
				s.fail(w, r, err) // parsed once: the handlers would find an empty form
				return
			} else {
				for k, vs := range r.Form {
					if k == "next" {
						continue // a return path: safeNext cleans it
					}
					_, posted := r.PostForm[k]
					for _, v := range vs {
						msg := ""
						switch {
						case posted && strings.ContainsFunc(v, carattereControllo):
							msg = "err.testo.controllo"
						case len(v) > maxTesto:
							msg = "err.testo.lungo"
						}
						if msg == "" {
							continue
						}
						if isAPI(r) {
							writeJSON(w, http.StatusUnprocessableEntity, apiError{Errore: tr(langIT, msg, truncate(k, 40)), Campi: map[string]string{truncate(k, 40): tr(langIT, msg, truncate(k, 40))}})
							return
						}
						s.fail(w, r, &ps.Error{Code: ps.EInvalid, Message: ps.Msg(msg, truncate(k, 40))})
						return
					}
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "path", r.URL.Path, "value", v, "stack", string(debug.Stack()))
				if isAPI(r) {
					s.fail(w, r, errors.New("panic"))
					return
				}
				http.Error(w, "errore interno", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// reqInfo is who the client is, as far as the portal can tell: its
// address and whether it reached the portal over HTTPS.
type reqInfo struct {
	ip    string
	https bool
}

type infoKey struct{}

// clientInfo resolves the client's address and scheme once per request.
// Forwarded headers are believed only from a configured trusted proxy, and
// X-Forwarded-For is read from the right: each trusted proxy appends the
// address it saw, so the right-most address that is not a trusted proxy is
// the client; what is left of it was written by the client itself.
func (s *Server) clientInfo(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := reqInfo{ip: peerIP(r), https: r.TLS != nil}
		if s.trusted(info.ip) {
			var hops []string
			for _, v := range r.Header.Values("X-Forwarded-For") {
				hops = append(hops, strings.Split(v, ",")...)
			}
			for i := len(hops) - 1; i >= 0; i-- {
				a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
				if err != nil {
					break // garbage: keep the last hop we could read
				}
				info.ip = a.Unmap().String()
				if !s.trusted(info.ip) {
					break
				}
			}
			if v := r.Header.Values("X-Forwarded-Proto"); len(v) > 0 {
				last := v[len(v)-1]
				if i := strings.LastIndexByte(last, ','); i >= 0 {
					last = last[i+1:]
				}
				info.https = strings.EqualFold(strings.TrimSpace(last), "https")
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), infoKey{}, info)))
	})
}

func (s *Server) trusted(ip string) bool {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// peerIP is the address of the TCP peer, whatever the headers say.
func peerIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return a.Unmap().String()
	}
	return host
}

// clientIP is the client's address (see clientInfo).
func clientIP(r *http.Request) string {
	if info, ok := r.Context().Value(infoKey{}).(reqInfo); ok {
		return info.ip
	}
	return peerIP(r)
}

// isHTTPS reports whether the client reached the portal over HTTPS.
func isHTTPS(r *http.Request) bool {
	if info, ok := r.Context().Value(infoKey{}).(reqInfo); ok {
		return info.https
	}
	return r.TLS != nil
}

type ipLimiter struct {
	l    *rate.Limiter
	seen time.Time
}

// ipLimiters throttles login attempts per client IP (and API requests per
// token), forgetting idle ones.
type ipLimiters struct {
	mu sync.Mutex
	m  map[string]*ipLimiter
	r  rate.Limit
	b  int
	// swept is the last sweep of idle entries: at most one a minute, since
	// in emergency mode tens of thousands of tokens are in use and a sweep
	// on every request (under the lock) serialised the whole API.
	swept time.Time
}

func (l *ipLimiters) allow(ip string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.m) > 10000 && now.Sub(l.swept) > time.Minute {
		l.swept = now
		for k, v := range l.m {
			if now.Sub(v.seen) > time.Hour {
				delete(l.m, k)
			}
		}
	}
	e, ok := l.m[ip]
	if !ok {
		e = &ipLimiter{l: rate.NewLimiter(l.r, l.b)}
		l.m[ip] = e
	}
	e.seen = now
	return e.l.AllowN(now, 1)
}

// hash runs a password function under the concurrency bound.
func (s *Server) hash(ctx context.Context, fn func()) error {
	select {
	case s.hashSem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	metrics.HashInCorso.Inc()
	defer func() { <-s.hashSem; metrics.HashInCorso.Dec() }()
	fn()
	return nil
}

func actor(r *http.Request, u *ps.User) ps.Actor {
	a := ps.Actor{IP: clientIP(r)}
	if u != nil {
		a.UserID, a.Username = u.ID, u.Username
	}
	return a
}

var errTooLarge = &ps.Error{Code: ps.ETooLarge, Message: "err.too_large"}

// parseForm reads a form body, reporting an oversized one as such.
func parseForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errTooLarge
		}
		return &ps.Error{Code: ps.EInvalid, Message: "err.form"}
	}
	return nil
}

// statusRecorder keeps the status code for the metrics.
type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.code = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// misura counts and times requests by route pattern (never by raw path,
// which would make one series per plesso).
func misura(route string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(rec, r)
		metrics.Latenza.WithLabelValues(route).Observe(time.Since(start).Seconds())
		metrics.Richieste.WithLabelValues(route, r.Method, strconv.Itoa(rec.code)).Inc()
	})
}

// metrics serves Prometheus metrics to loopback clients only: behind a
// reverse proxy the scraper runs on the host; the proxy must not forward
// /metrics. The check is on the TCP peer itself, and a request carrying
// forwarded headers (relayed by a proxy, trusted or not) is refused.
func (s *Server) metrics() http.Handler {
	h := promhttp.HandlerFor(metrics.Registry, promhttp.HandlerOpts{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip, err := netip.ParseAddr(peerIP(r))
		// A request relayed by a proxy on the same machine carries one of
		// these: it comes from elsewhere.
		relayed := r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("Forwarded") != "" || r.Header.Get("X-Real-IP") != ""
		if err != nil || !ip.IsLoopback() || relayed || clientIP(r) != ip.String() {
			http.Error(w, "metriche disponibili solo in locale", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}
