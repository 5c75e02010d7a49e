// Package web is Portale Scuole's HTTP interface: one route table
// (routes.go), one small file per group of actions, html/template pages with
// Bootstrap Italia, all assets embedded. Authorisation is decided in one
// place (authorize), from the route table and ps.User.CanAccessPlesso.
package web

import (
	"context"
	"errors"
	"github.com/portalescuole/portalescuole/allerta"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/time/rate"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/auth"
	"github.com/portalescuole/portalescuole/metriche"
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
	// Wake, when set, is called after e-mails are queued (the mail worker).
	Wake func()
	// Motore is the detection engine and its in-memory aggregates, shared
	// with the server's background loop; nil makes one.
	Motore *allerta.Motore
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
	limiters *ipLimiters
	routes   []Route
	handler  http.Handler
	// serieCache keeps the dashboard's series until the data change.
	motore      *allerta.Motore
	serieCache  serieCache
	aggiornato  atomic.Int64 // unix nanoseconds of the last refresh of the aggregates
	paginaCache paginaCache
	flight      flight
}

// New builds a Server and its route table.
func New(cfg Config) (*Server, error) {
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
	s := &Server{
		motore:   cfg.Motore,
		cfg:      cfg,
		db:       cfg.DB,
		log:      cfg.Logger,
		now:      cfg.Now,
		sessions: sm,
		pages:    pg,
		hashSem:  make(chan struct{}, cfg.HashConcurrency),
		limiters: &ipLimiters{m: map[string]*ipLimiter{}, r: cfg.LoginRate, b: cfg.LoginBurst},
	}
	s.routes = s.routeTable()
	mux := http.NewServeMux()
	for _, rt := range s.routes {
		mux.Handle(rt.Method+" "+rt.Pattern, misura(rt.Pattern, s.authorize(rt)))
	}
	mux.Handle("GET /metrics", misura("/metrics", s.metrics()))
	metriche.RegistraOutbox(cfg.DB.SQL())
	mux.Handle("GET /static/", staticHandler())
	mux.Handle("GET /favicon.ico", favicon())
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, &ps.Error{Code: ps.ENotFound, Message: "err.notfound.page"})
	})
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, &ps.Error{Code: ps.EForbidden, Message: "err.forbidden"})
	}))
	var h http.Handler = mux
	h = sm.LoadAndSave(h)
	h = cop.Handler(h)
	h = limitBody(h)
	h = securityHeaders(h)
	h = s.recoverer(h)
	s.handler = h
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Routes returns the route table (the authorisation matrix test walks it).
func (s *Server) Routes() []Route { return s.routes }

// CleanupSessions deletes expired sessions every interval until ctx ends.
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
		if r.TLS != nil {
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

func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "path", r.URL.Path, "value", v)
				http.Error(w, "errore interno", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// clientIP is the peer address; behind a reverse proxy, deployments put the
// portal on loopback and the proxy sets X-Forwarded-For, trusted only then.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			return strings.TrimSpace(strings.Split(xff, ",")[0])
		}
	}
	return host
}

type ipLimiter struct {
	l    *rate.Limiter
	seen time.Time
}

// ipLimiters throttles login attempts per client IP, forgetting idle ones.
type ipLimiters struct {
	mu sync.Mutex
	m  map[string]*ipLimiter
	r  rate.Limit
	b  int
}

func (l *ipLimiters) allow(ip string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.m) > 10000 {
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
	metriche.HashInCorso.Inc()
	defer func() { <-s.hashSem; metriche.HashInCorso.Dec() }()
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
		metriche.Latenza.WithLabelValues(route).Observe(time.Since(start).Seconds())
		metriche.Richieste.WithLabelValues(route, r.Method, strconv.Itoa(rec.code)).Inc()
	})
}

// metrics serves Prometheus metrics to loopback clients only: behind a
// reverse proxy the scraper runs on the host; the proxy must not forward
// /metrics.
func (s *Server) metrics() http.Handler {
	h := promhttp.HandlerFor(metriche.Registry, promhttp.HandlerOpts{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() || r.Header.Get("X-Forwarded-For") != "" {
			http.Error(w, "metriche disponibili solo in locale", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}
