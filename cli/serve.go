package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/portalescuole/portalescuole/allerta"
	"github.com/portalescuole/portalescuole/demo"
	"github.com/portalescuole/portalescuole/mail"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/web"
)

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	limitaMemoria() // the first detection run is the national peak
	fs, dsn := newFlags("serve", stderr)
	addr := fs.String("addr", envOr("PORTALE_ADDR", "127.0.0.1:8080"), "indirizzo di ascolto")
	withDemo := fs.Bool("demo", false, "carica i dati dimostrativi di Cremona e Mantova (una sola volta)")
	cookieSecure := fs.String("cookie-secure", "auto", "cookie di sessione Secure: auto (sì, salvo indirizzo di loopback), true, false")
	trustedProxy := fs.String("trusted-proxy", os.Getenv("PORTALE_TRUSTED_PROXY"), "proxy inversi fidati, indirizzi o CIDR separati da virgole (es. 127.0.0.1/32): solo da questi si leggono X-Forwarded-For e X-Forwarded-Proto")
	smtpHost := fs.String("smtp-host", os.Getenv("PORTALE_SMTP_HOST"), "server SMTP per la posta in uscita (vuoto: la posta resta in coda)")
	smtpPort := fs.Int("smtp-port", 587, "porta SMTP")
	smtpUser := fs.String("smtp-user", os.Getenv("PORTALE_SMTP_USER"), "utente SMTP")
	smtpTLS := fs.String("smtp-tls", "starttls", "none, starttls o tls")
	smtpRate := fs.Float64("smtp-per-second", mail.DefaultPerSecondo, "messaggi al secondo al massimo (0: nessun limite): i promemoria di un'emergenza non tolgono risorse agli invii")
	logJSON := fs.Bool("log-json", false, "log in JSON")
	jobs := fs.Bool("jobs", true, "esegue i lavori periodici (posta, promemoria, sorveglianza, bollettino); false sui nodi aggiuntivi")
	alias(fs, "smtp-al-secondo", "smtp-per-second")
	alias(fs, "lavori", "jobs")
	if err := fs.Parse(args); err != nil {
		return err
	}
	proxies, err := ParseTrustedProxies(*trustedProxy)
	if err != nil {
		return err
	}
	var h slog.Handler = slog.NewTextHandler(stderr, nil)
	if *logJSON {
		h = slog.NewJSONHandler(stderr, nil)
	}
	log := slog.New(h)
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The background work (mail, jobs, the aggregates' first load) has
	// this lifetime: cancelled and waited for before the database closes
	// (the deferred calls run in reverse: fine, then db.Close).
	ctx, fine := context.WithCancel(ctx)
	defer fine()
	var lavori sync.WaitGroup
	avvia := func(fn func()) {
		lavori.Add(1)
		go func() {
			defer lavori.Done()
			fn()
		}()
	}

	// The address first: a busy port is said before the demo is loaded,
	// with the way out.
	ln, err := ascolta(*addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	db, err := store.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	defer func() { fine(); lavori.Wait() }()
	demoLoaded := *withDemo && demo.Loaded(ctx, db)
	if *withDemo {
		if err := demo.Seed(ctx, db, time.Now()); err != nil {
			return fmt.Errorf("dati dimostrativi: %w", err)
		}
	}
	secure := cookieSicuri(*cookieSecure, ln.Addr())
	var wake func()
	if *smtpHost != "" && *jobs {
		w, err := nuovaPosta(ctx, db, log, mail.Config{Host: *smtpHost, Port: *smtpPort, Username: *smtpUser,
			Password: os.Getenv("PORTALE_SMTP_PASSWORD"), TLS: *smtpTLS}, *smtpRate)
		if err != nil {
			return err
		}
		avvia(func() { w.Run(ctx) })
		wake = w.Wake
	} else {
		log.Warn("SMTP non configurato: i promemoria restano in coda (--smtp-host)")
	}
	// One detection engine, whose in-memory aggregates the dashboard reads
	// too; loaded in the background so the first page does not wait.
	motore := allerta.NuovoMotore(db, nil)
	srv, err := web.New(web.Config{DB: db, Logger: log, SecureCookies: secure, Wake: wake, Motore: motore, TrustedProxies: proxies})
	if err != nil {
		return err
	}
	avvia(func() {
		t := time.Now()
		if _, err := motore.Archivio().Aggiorna(ctx); err != nil {
			log.Error("aggregati", "err", err)
			return
		}
		log.Info("aggregati caricati", "durata", time.Since(t))
		// The dashboard, the same for every ATS user, is ready before the
		// first of them asks; again after each detection round below.
		srv.Prepara(ctx)
	})
	defer srv.Close()
	avvia(func() { srv.CleanupSessions(ctx, 30*time.Minute) })
	if *jobs {
		avvia(func() { promemoriaLoop(ctx, db, motore, log, wake, 10*time.Minute, srv.Prepara) })
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		WriteTimeout: 120 * time.Second, IdleTimeout: 120 * time.Second}
	url := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "Portale Scuole in ascolto su %s (database %s)\n", url, db.Dialect())
	stampaDemo(stdout, *withDemo, demoLoaded)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Finish the requests in flight (writes included) before closing the DB.
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	log.Info("arresto in corso")
	return hs.Shutdown(sctx)
}

// ascolta opens the address, saying what to do when it is taken.
func ascolta(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err == nil {
		return ln, nil
	}
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("l'indirizzo %s è già in uso (un altro programma, o il portale già avviato): sceglierne un altro con --addr, per esempio --addr 127.0.0.1:9090 (make demo ADDR=127.0.0.1:9090)", addr)
	}
	return nil, fmt.Errorf("indirizzo %s: %w", addr, err)
}

// cookieSicuri decides the session cookie's Secure flag: "true", "false",
// or "auto" (secure unless the portal listens on loopback only).
func cookieSicuri(mode string, addr net.Addr) bool {
	if mode != "auto" {
		return mode == "true"
	}
	host, _, _ := net.SplitHostPort(addr.String())
	ip := net.ParseIP(host)
	return ip == nil || !ip.IsLoopback()
}

// nuovaPosta is the outbox worker on an SMTP server, sending as the
// settings' sender at most perSecondo messages a second.
func nuovaPosta(ctx context.Context, db *store.DB, log *slog.Logger, c mail.Config, perSecondo float64) (*mail.Worker, error) {
	st, err := db.Settings(ctx)
	if err != nil {
		return nil, err
	}
	c.From = st.MittenteEmail
	w := mail.NewWorker(db, mail.NewSMTP(c), log, time.Minute)
	w.Limite = mail.PerSecondo(perSecondo)
	return w, nil
}

// stampaDemo says how to log in to the demo: its accounts, and whether
// their passwords are still the initial ones.
func stampaDemo(stdout io.Writer, withDemo, demoLoaded bool) {
	if demoLoaded {
		fmt.Fprintln(stdout, "Dati dimostrativi già caricati in questo database: restano le password che gli utenti hanno impostato.")
		fmt.Fprintln(stdout, "Per ripartire dai dati e dalle password iniziali: make demo-reset (oppure cancellare il file del database).")
	}
	if withDemo {
		if demoLoaded {
			fmt.Fprintln(stdout, "Account dimostrativi (password iniziali):")
		} else {
			fmt.Fprintln(stdout, "Account dimostrativi:")
		}
		for _, a := range demo.Accounts {
			fmt.Fprintf(stdout, "  %-9s %-14s password %-20s %s\n", a.Role, a.Username, a.Password, a.Note)
		}
	}
}

// limitaMemoria sets a soft memory limit of 768 MiB unless GOMEMLIMIT is
// given: a national detection run allocates gigabytes over its life but
// keeps a few hundred megabytes live, and without a limit the collector
// lets the process grow to twice that.
func limitaMemoria() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(768 << 20)
	}
}

// ParseTrustedProxies reads --trusted-proxy: addresses or CIDR prefixes,
// separated by commas.
func ParseTrustedProxies(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("--trusted-proxy: %q non è un indirizzo né un prefisso CIDR", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}
