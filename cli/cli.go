// Package cli implements the portalescuole command: serve, migrate,
// user add and import. main only calls Run, so tests run commands in-process.
package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/allerta"
	"github.com/portalescuole/portalescuole/anagrafe"
	"github.com/portalescuole/portalescuole/auth"
	"github.com/portalescuole/portalescuole/backup"
	"github.com/portalescuole/portalescuole/carico"
	"github.com/portalescuole/portalescuole/demo"
	"github.com/portalescuole/portalescuole/detect"
	"github.com/portalescuole/portalescuole/evaluate"
	"github.com/portalescuole/portalescuole/genera"
	"github.com/portalescuole/portalescuole/mail"
	"github.com/portalescuole/portalescuole/metriche"
	"github.com/portalescuole/portalescuole/sentinella"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/web"
)

// DefaultDB is the SQLite file used when --db is not given.
const DefaultDB = "data/portale.db"

const usage = `portalescuole: Portale Scuole, sorveglianza delle assenze scolastiche

Uso:
  portalescuole serve   [--addr 127.0.0.1:8080] [--db PATH|postgres://...] [--demo] [--smtp-host H ...]
  portalescuole migrate [--db ...]
  portalescuole user add --role plesso|istituto|ats|admin --username NOME [--plesso CODICE] [--istituto CODICE] [--email E] [--db ...]
                         (la password è letta dallo standard input)
  portalescuole import  [--db ...] [--kind statali|paritarie|studenti|comuni|distretti] [--anno 2024/25] [--dry-run] [--province CR,MN] FILE
  portalescuole detect  --method ears-c1|ears-c2|ears-c3|ears-c3-cdc|cusum|cusum-reset|farrington|ewma|rate|dow|scuola|default [--param chiave=valore ...]
                         (CSV date,count[,denominator] sullo standard input; CSV date,count,expected,upperbound,alarm in uscita)
  portalescuole generate --plessi 40000 --years 5 --db ... [--seed 1] [--quota 0.05]   (dati sintetici nazionali, database vuoto)
  portalescuole backup  --db ... --out FILE.jsonl.gz   (copia online e coerente, SQLite o PostgreSQL)
  portalescuole restore --db ... --in FILE.jsonl.gz    (in un database vuoto; verifica il contenuto)
  portalescuole carico  --url http://127.0.0.1:8080 --db ... [--durata 30s] [--concorrenza 32] [--plessi 200]
                         (carico sul server in esecuzione; poi verifica nel database ogni scrittura confermata)
  portalescuole rileva  --db ... [--oggi AAAA-MM-GG]
                         (rilevazione completa: ogni aggregato e ogni plesso, tutti gli anni; tempi e memoria)
  portalescuole evaluate [--nsim 40] [--doc docs/detection.md] [--csv FILE]  (qualità dei rilevatori su stagioni simulate)

--db accetta il percorso di un file SQLite (predefinito: ` + DefaultDB + `) o un DSN postgres://.
`

// Run executes the command line args (without the program name).
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = serve(ctx, args[1:], stdout, stderr)
	case "migrate":
		err = migrate(ctx, args[1:], stdout, stderr)
	case "user":
		if len(args) < 2 || args[1] != "add" {
			fmt.Fprint(stderr, usage)
			return 2
		}
		err = userAdd(ctx, args[2:], stdin, stdout, stderr)
	case "import":
		err = importCmd(ctx, args[1:], stdout, stderr)
	case "detect":
		err = detectCmd(args[1:], stdin, stdout, stderr)
	case "evaluate":
		return evaluate.Main(args[1:], stdout, stderr)
	case "generate":
		err = generateCmd(ctx, args[1:], stdout, stderr)
	case "backup":
		err = backupCmd(ctx, args[1:], stdout, stderr)
	case "restore":
		err = restoreCmd(ctx, args[1:], stdout, stderr)
	case "carico":
		err = caricoCmd(ctx, args[1:], stdout, stderr)
	case "rileva":
		err = rilevaCmd(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "comando sconosciuto %q\n\n%s", args[0], usage)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "errore:", err)
		return 1
	}
	return 0
}

func newFlags(name string, stderr io.Writer) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", envOr("PORTALE_DB", DefaultDB), "file SQLite o DSN postgres:// (env PORTALE_DB)")
	return fs, db
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dsn := newFlags("migrate", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := store.Open(ctx, *dsn) // Open migrates
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(stdout, "database aggiornato (%s)\n", db.Dialect())
	return nil
}

func userAdd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs, dsn := newFlags("user add", stderr)
	role := fs.String("role", "", "plesso, istituto, ats o admin")
	username := fs.String("username", "", "nome utente")
	plesso := fs.String("plesso", "", "codice meccanografico del plesso (ruolo plesso)")
	istituto := fs.String("istituto", "", "codice dell'istituto (ruolo istituto)")
	email := fs.String("email", "", "indirizzo e-mail")
	mustChange := fs.Bool("must-change", true, "obbliga al cambio password al primo accesso")
	if err := fs.Parse(args); err != nil {
		return err
	}
	pw, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		return err
	}
	pw = strings.TrimRight(pw, "\r\n")
	if k := auth.CheckNew(pw, *username, *plesso); k != "" {
		return fmt.Errorf("password non accettata (%s): almeno %d caratteri, non tra le più comuni, senza il nome utente", k, auth.MinLength)
	}
	db, err := store.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	hash, err := auth.Hash(pw, auth.DefaultParams)
	if err != nil {
		return err
	}
	u, err := db.CreateUser(ctx, ps.Actor{Username: "cli"}, ps.User{Username: *username, Role: ps.Role(*role),
		Plesso: ps.NormalizeCodice(*plesso), Istituto: ps.NormalizeCodice(*istituto), Email: *email, PasswordHash: hash, MustChange: *mustChange})
	if err != nil {
		if f := ps.FieldErrors(err); f != nil {
			var parts []string
			for k, v := range f {
				parts = append(parts, k+": "+tr(v))
			}
			return errors.New(strings.Join(parts, "; "))
		}
		if ps.ErrorCode(err) == ps.EConflict {
			return errors.New("esiste già un utente con questo nome")
		}
		return err
	}
	fmt.Fprintf(stdout, "utente %s creato (ruolo %s)\n", u.Username, u.Role)
	return nil
}

// tr gives the Italian text of a domain message key, from the web's
// catalogue.
func tr(key string) string { return web.Testo("it", key) }

func importCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dsn := newFlags("import", stderr)
	kind := fs.String("kind", "", "tipo del file (predefinito: riconosciuto dall'intestazione)")
	anno := fs.String("anno", "", "anno scolastico del file degli studenti, es. 2024/25")
	dry := fs.Bool("dry-run", false, "mostra cosa cambierebbe senza salvare")
	prov := fs.String("province", "", "province del territorio, es. CR,MN (predefinito: impostazione del portale)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("indicare un solo file da importare")
	}
	path := fs.Arg(0)
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var a ps.AnnoScolastico
	if *anno != "" {
		var ok bool
		if a, ok = ps.ParseAnno(*anno); !ok {
			return fmt.Errorf("anno scolastico %q non valido", *anno)
		}
	}
	db, err := store.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if allerta.IsInfluNet(data) {
		rep, err := allerta.ImportInfluNet(ctx, db, ps.Actor{Username: "cli"}, data, store.ImportOptions{Filename: filepath.Base(path), DryRun: *dry})
		if err != nil {
			return fmt.Errorf("InfluNet: %w", err)
		}
		verb := "importato"
		if rep.DryRun {
			verb = "anteprima (nulla salvato)"
		}
		fmt.Fprintf(stdout, "%s %s (InfluNet): %d settimane aggiunte, %d modificate\n", filepath.Base(path), verb, len(rep.Added), len(rep.Changed))
		return nil
	}
	province := store.ParseProvince(*prov)
	if *prov == "" {
		if st, err := db.Settings(ctx); err == nil {
			province = store.ParseProvince(st.Province)
		}
	}
	rep, err := db.Import(ctx, ps.Actor{Username: "cli"}, data, store.ImportOptions{
		Filename: filepath.Base(path), Kind: anagrafe.Kind(*kind), Anno: a, DryRun: *dry, Province: province})
	var fe *anagrafe.FileError
	if errors.As(err, &fe) {
		fmt.Fprintln(stderr, "file rifiutato, nessun dato modificato:")
		for _, le := range fe.Errors {
			fmt.Fprintln(stderr, "  "+le.String())
		}
		if fe.More > 0 {
			fmt.Fprintf(stderr, "  e altri %d errori\n", fe.More)
		}
		return errors.New("importazione annullata")
	} else if err != nil {
		if ps.ErrorCode(err) == ps.EInvalid {
			return errors.New(tr(ps.ErrorMessage(err)))
		}
		return err
	}
	verb := "importato"
	if rep.DryRun {
		verb = "anteprima (nulla salvato)"
	}
	fmt.Fprintf(stdout, "%s %s (%s): %d aggiunti, %d modificati, %d ritirati, %d righe fuori territorio\n",
		rep.Filename, verb, rep.Kind, len(rep.Added), len(rep.Changed), len(rep.Retired), rep.Skipped)
	for _, n := range rep.Notes {
		fmt.Fprintln(stdout, "  "+n)
	}
	return nil
}

// promemoriaLoop, every interval, queues the sentinel plessi' deadline
// reminders, reruns detection and, from 8:00, the daily alert digest and
// on Mondays the weekly bulletin;
// dedupe keys in the outbox make each e-mail go once.
func promemoriaLoop(ctx context.Context, db *store.DB, motore *allerta.Motore, log *slog.Logger, wake func(), every time.Duration) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		rome = time.UTC
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := eseguiLavori(ctx, db, motore, log, time.Now(), rome)
		if n > 0 && wake != nil {
			wake()
		}
		if err != nil && ctx.Err() == nil {
			log.Warn("promemoria assenze", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// lavori are the periodic jobs due at one tick.
type lavori struct {
	Promemoria, Rilevazione, Riepilogo, Bollettino bool
}

// lavoriDovuti decides what is due at now (loc is the ATS's time zone):
// reminders and detection at every tick, the daily digest from 8:00, the
// weekly bulletin on Monday from 8:00. Each job dedupes its own e-mails
// (per day, week, recipient), so a later tick of the same day adds nothing.
func lavoriDovuti(now time.Time, loc *time.Location) lavori {
	l := now.In(loc)
	morning := l.Hour() >= 8
	return lavori{Promemoria: true, Rilevazione: true, Riepilogo: morning, Bollettino: morning && l.Weekday() == time.Monday}
}

// eseguiLavori runs the jobs due at now and returns the e-mails queued.
func eseguiLavori(ctx context.Context, db *store.DB, motore *allerta.Motore, log *slog.Logger, now time.Time, loc *time.Location) (int, error) {
	due := lavoriDovuti(now, loc)
	st, err := db.Settings(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	if due.Promemoria {
		if n, err = sentinella.Promemoria(ctx, db, st.FinestreParsed(), now, loc); err != nil {
			return n, err
		}
	}
	// Detection reruns on whatever arrived (closed windows, late data):
	// signals are unique per series, day and method.
	if due.Rilevazione {
		es, err := motore.Esegui(ctx, ps.SystemActor, now)
		n += es.Email
		if err != nil {
			return n, err
		}
		if len(es.Nuovi) > 0 {
			log.Info("nuove allerte", "n", len(es.Nuovi), "serie", es.Serie, "completa", es.Tutto, "durata", es.Durata)
		}
	}
	if due.Riepilogo {
		d, err := allerta.Riepilogo(ctx, db, now, loc)
		n += d
		if err != nil {
			return n, err
		}
	}
	// The weekly bulletin of the last complete week goes out on Monday
	// morning (once: dedupe key per week and recipient).
	if due.Bollettino {
		d, err := allerta.InviaBollettino(ctx, db, now.AddDate(0, 0, -7), now, loc)
		n += d
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func generateCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dsn := newFlags("generate", stderr)
	n := fs.Int("plessi", 40000, "numero di plessi")
	years := fs.Int("years", 5, "anni scolastici")
	seed := fs.Uint64("seed", 1, "seme")
	quota := fs.Float64("quota", 0.05, "quota di plessi sentinella")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := store.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := genera.Genera(ctx, db, genera.Opzioni{Plessi: *n, Anni: *years, Seed: *seed, Quota: *quota}, stdout)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "generati %d plessi in %s\n", *n, r.Durata.Round(time.Millisecond))
	return nil
}

func backupCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dsn := newFlags("backup", stderr)
	out := fs.String("out", "", "file di destinazione (- per lo standard output)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("indicare --out FILE")
	}
	db, err := store.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	w := stdout
	var f *os.File
	if *out != "-" {
		// Written beside the target and renamed at the end: a failed backup
		// never leaves a file that looks complete.
		if f, err = os.CreateTemp(filepath.Dir(*out), ".backup-*"); err != nil {
			return err
		}
		defer os.Remove(f.Name())
		w = f
	}
	sum, err := backup.Backup(ctx, db, w)
	if err != nil {
		return err
	}
	if f != nil {
		if err := f.Sync(); err != nil {
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		if err := os.Rename(f.Name(), *out); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "backup %s: %d tabelle, %d righe, sha256 %s\n", *out, len(sum.Tabelle), sum.Righe, sum.SHA256)
	}
	return nil
}

func restoreCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dsn := newFlags("restore", stderr)
	in := fs.String("in", "", "file di backup")
	if err := fs.Parse(args); err != nil {
		return err
	}
	f, err := os.Open(*in)
	if err != nil {
		return err
	}
	defer f.Close()
	db, err := store.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	sum, err := backup.Restore(ctx, db, f)
	if err != nil {
		return err
	}
	got, err := backup.Contenuto(ctx, db)
	if err != nil {
		return err
	}
	if diff := backup.Differenze(sum.Contenuto(), got); len(diff) > 0 {
		return fmt.Errorf("contenuto diverso dal backup nelle tabelle %v", diff)
	}
	fmt.Fprintf(stdout, "ripristinato %s: %d tabelle, %d righe, contenuto verificato\n", *in, len(sum.Tabelle), sum.Righe)
	return nil
}

func caricoCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dsn := newFlags("carico", stderr)
	base := fs.String("url", "http://127.0.0.1:8080", "indirizzo del portale in esecuzione")
	durata := fs.Duration("durata", 30*time.Second, "durata del carico")
	richieste := fs.Int("richieste", 0, "numero massimo di operazioni (0: solo durata)")
	conc := fs.Int("concorrenza", 32, "client simultanei")
	nPlessi := fs.Int("plessi", 200, "plessi sentinella usati")
	mixFlag := fs.String("mix", "", "proporzioni, es. api=55,modulo=25,iscritti=5,cruscotto=5,login=10 (predefinito)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := store.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var mix map[string]int
	if *mixFlag != "" {
		mix = map[string]int{}
		for _, part := range strings.Split(*mixFlag, ",") {
			k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
			n, err := strconv.Atoi(v)
			if !ok || err != nil || n < 0 {
				return fmt.Errorf("--mix: %q non è tipo=peso", part)
			}
			if _, known := carico.MixDefault[k]; !known {
				return fmt.Errorf("--mix: tipo %q sconosciuto (api, modulo, iscritti, cruscotto, login)", k)
			}
			mix[k] = n
		}
	}
	prep, err := carico.Prepara(ctx, db, *nPlessi, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "carico su %s: %d plessi, %d client, %s\n", *base, len(prep.Plessi), *conc, *durata)
	es, err := carico.Esegui(ctx, prep, carico.Opzioni{URL: strings.TrimRight(*base, "/"), Durata: *durata, Richieste: *richieste, Concorrenza: *conc, Mix: mix, Seed: uint64(time.Now().UnixNano())})
	if err != nil {
		return err
	}
	carico.Rapporto(stdout, es)
	found, missing, err := carico.Verifica(ctx, db, es.Scritture)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "scritture confermate: %d, trovate nel database: %d, mancanti: %d\n", len(es.Scritture), found, len(missing))
	if len(missing) > 0 {
		return fmt.Errorf("%d scritture confermate non sono nel database", len(missing))
	}
	return nil
}

func detectCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("detect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	method := fs.String("method", "", "metodo: "+strings.Join(detect.Methods(), ", "))
	var params []string
	fs.Func("param", "parametro chiave=valore con i nomi di R (ripetibile)", func(v string) error {
		params = append(params, v)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *method == "" || fs.NArg() > 0 {
		return errors.New("indicare --method; metodi: " + strings.Join(detect.Methods(), ", "))
	}
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	return detect.Run(*method, params, stdin, stdout)
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dsn := newFlags("serve", stderr)
	addr := fs.String("addr", envOr("PORTALE_ADDR", "127.0.0.1:8080"), "indirizzo di ascolto")
	withDemo := fs.Bool("demo", false, "carica i dati dimostrativi di Cremona e Mantova (una sola volta)")
	cookieSecure := fs.String("cookie-secure", "auto", "cookie di sessione Secure: auto (sì, salvo indirizzo di loopback), true, false")
	trustedProxy := fs.String("trusted-proxy", os.Getenv("PORTALE_TRUSTED_PROXY"), "proxy inversi fidati, indirizzi o CIDR separati da virgole (es. 127.0.0.1/32): solo da questi si leggono X-Forwarded-For e X-Forwarded-Proto")
	smtpHost := fs.String("smtp-host", os.Getenv("PORTALE_SMTP_HOST"), "server SMTP per la posta in uscita (vuoto: la posta resta in coda)")
	smtpPort := fs.Int("smtp-port", 587, "porta SMTP")
	smtpUser := fs.String("smtp-user", os.Getenv("PORTALE_SMTP_USER"), "utente SMTP")
	smtpTLS := fs.String("smtp-tls", "starttls", "none, starttls o tls")
	logJSON := fs.Bool("log-json", false, "log in JSON")
	jobs := fs.Bool("lavori", true, "esegue i lavori periodici (posta, promemoria, sorveglianza, bollettino); false sui nodi aggiuntivi")
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

	db, err := store.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	demoLoaded := *withDemo && demo.Loaded(ctx, db)
	if *withDemo {
		if err := demo.Seed(ctx, db, time.Now()); err != nil {
			return fmt.Errorf("dati dimostrativi: %w", err)
		}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	secure := *cookieSecure == "true"
	if *cookieSecure == "auto" {
		host, _, _ := net.SplitHostPort(ln.Addr().String())
		ip := net.ParseIP(host)
		secure = ip == nil || !ip.IsLoopback()
	}
	var wake func()
	if *smtpHost != "" && *jobs {
		st, _ := db.Settings(ctx)
		w := mail.NewWorker(db, mail.NewSMTP(mail.Config{Host: *smtpHost, Port: *smtpPort, Username: *smtpUser,
			Password: os.Getenv("PORTALE_SMTP_PASSWORD"), TLS: *smtpTLS, From: st.MittenteEmail}), log, time.Minute)
		go w.Run(ctx)
		wake = w.Wake
	} else {
		log.Warn("SMTP non configurato: i promemoria restano in coda (--smtp-host)")
	}
	// One detection engine, whose in-memory aggregates the dashboard reads
	// too; loaded in the background so the first page does not wait.
	motore := allerta.NuovoMotore(db, nil)
	go func() {
		t := time.Now()
		if _, err := motore.Archivio().Aggiorna(ctx); err != nil {
			log.Error("aggregati", "err", err)
			return
		}
		log.Info("aggregati caricati", "durata", time.Since(t))
	}()
	srv, err := web.New(web.Config{DB: db, Logger: log, SecureCookies: secure, Wake: wake, Motore: motore, TrustedProxies: proxies})
	if err != nil {
		return err
	}
	go srv.CleanupSessions(ctx, 30*time.Minute)
	if *jobs {
		go promemoriaLoop(ctx, db, motore, log, wake, 10*time.Minute)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		WriteTimeout: 120 * time.Second, IdleTimeout: 120 * time.Second}
	url := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "Portale Scuole in ascolto su %s (database %s)\n", url, db.Dialect())
	if demoLoaded {
		fmt.Fprintln(stdout, "Dati dimostrativi già caricati in questo database: restano le password che gli utenti hanno impostato.")
		fmt.Fprintln(stdout, "Per ripartire dai dati e dalle password iniziali: make demo-reset (oppure cancellare il file del database).")
	}
	if *withDemo {
		if demoLoaded {
			fmt.Fprintln(stdout, "Account dimostrativi (password iniziali):")
		} else {
			fmt.Fprintln(stdout, "Account dimostrativi:")
		}
		for _, a := range demo.Accounts {
			fmt.Fprintf(stdout, "  %-9s %-14s password %-20s %s\n", a.Role, a.Username, a.Password, a.Note)
		}
	}
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

// rilevaCmd runs a full detection, as the server's first run does, and
// reports its phases and the process's peak memory.
func rilevaCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dsn := newFlags("rileva", stderr)
	oggi := fs.String("oggi", "", "giorno della rilevazione (predefinito: oggi)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	now := time.Now()
	if *oggi != "" {
		d, err := time.Parse("2006-01-02", *oggi)
		if err != nil {
			return fmt.Errorf("--oggi: %w", err)
		}
		now = d.Add(12 * time.Hour)
	}
	db, err := store.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	m := allerta.NuovoMotore(db, nil)
	t0 := time.Now()
	if _, err := m.Archivio().Aggiorna(ctx); err != nil {
		return err
	}
	load := time.Since(t0)
	es, err := m.Esegui(ctx, ps.SystemActor, now)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "aggregati caricati in %s; rilevazione su %d serie in %s: %d nuovi segnali; totale %s; memoria massima %d MiB\n",
		load.Round(time.Millisecond), es.Serie, es.Durata.Round(time.Millisecond), len(es.Nuovi),
		time.Since(t0).Round(time.Millisecond), metriche.PiccoMemoria()>>20)
	return nil
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
