package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/portalescuole/portalescuole/load"
	"github.com/portalescuole/portalescuole/mail"
	"github.com/portalescuole/portalescuole/sentinella"
	"github.com/portalescuole/portalescuole/store"
)

func caricoCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dsn := newFlags("load", stderr)
	base := fs.String("url", "http://127.0.0.1:8080", "indirizzo del portale in esecuzione")
	durata := fs.Duration("duration", 30*time.Second, "durata del carico")
	richieste := fs.Int("requests", 0, "numero massimo di operazioni (0: solo durata)")
	conc := fs.Int("concurrency", 32, "client simultanei")
	nPlessi := fs.Int("plessi", 200, "plessi sentinella usati")
	mixFlag := fs.String("mix", "", "proporzioni, es. api=55,modulo=25,iscritti=5,cruscotto=5,login=10 (predefinito)")
	emerg := fs.Bool("emergency", false, "modalità emergenza: ogni plesso (--plessi 40000) invia oggi una volta via API, un decimo delle richieste sul cruscotto")
	promemoria := fs.Bool("reminders", false, "con --emergency: durante il carico accoda i promemoria e le istruzioni dell'emergenza e li invia a un server SMTP interno")
	promDopo := fs.Duration("reminders-after", 5*time.Second, "quando accodare i promemoria dopo l'inizio del carico")
	promRate := fs.Float64("reminders-per-second", mail.DefaultPerSecondo, "ritmo di invio dei promemoria, come serve --smtp-per-second (0: nessun limite)")
	alias(fs, "durata", "duration")
	alias(fs, "richieste", "requests")
	alias(fs, "concorrenza", "concurrency")
	alias(fs, "emergenza", "emergency")
	alias(fs, "promemoria", "reminders")
	alias(fs, "promemoria-dopo", "reminders-after")
	alias(fs, "promemoria-al-secondo", "reminders-per-second")
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
			if _, known := load.MixDefault[k]; !known {
				return fmt.Errorf("--mix: tipo %q sconosciuto (api, modulo, iscritti, cruscotto, login)", k)
			}
			mix[k] = n
		}
	}
	prepara := load.Prepara
	if *emerg {
		prepara = load.PreparaEmergenza
		if mix == nil {
			mix = load.MixEmergenza
		}
	}
	t0 := time.Now()
	prep, err := prepara(ctx, db, *nPlessi, time.Now())
	if err != nil {
		return err
	}
	if *emerg {
		fmt.Fprintf(stdout, "preparazione: %s\n", time.Since(t0).Round(time.Millisecond))
	}
	fmt.Fprintf(stdout, "carico su %s: %d plessi, %d client, %s\n", *base, len(prep.Plessi), *conc, *durata)
	var posta chan string
	if *emerg && *promemoria {
		lctx, stop := context.WithTimeout(ctx, *durata)
		defer stop()
		posta = make(chan string, 1)
		go func() { posta <- promemoriaDurante(lctx, db, *promDopo, *promRate) }()
	}
	es, err := load.Esegui(ctx, prep, load.Opzioni{URL: strings.TrimRight(*base, "/"), Durata: *durata, Richieste: *richieste, Concorrenza: *conc, Mix: mix, Seed: uint64(time.Now().UnixNano()), UnaVolta: *emerg})
	if err != nil {
		return err
	}
	load.Rapporto(stdout, es)
	if posta != nil {
		fmt.Fprint(stdout, <-posta)
	}
	verifica := load.Verifica
	if *emerg {
		verifica = func(ctx context.Context, db *store.DB, w []load.Scrittura) (int, []load.Scrittura, error) {
			return load.VerificaGiorno(ctx, db, w, prep.Plessi[0].Giorni[0])
		}
	}
	found, missing, err := verifica(ctx, db, es.Scritture)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "scritture confermate: %d, trovate nel database: %d, mancanti: %d\n", len(es.Scritture), found, len(missing))
	if len(missing) > 0 {
		return fmt.Errorf("%d scritture confermate non sono nel database", len(missing))
	}
	return nil
}

// promemoriaDurante queues the emergency's instructions and reminders
// after dopo, as serve's jobs would, then sends them through the outbox
// worker to an in-process SMTP server until ctx ends, and describes what
// it did, at perSecondo messages a second (0: flat out).
func promemoriaDurante(ctx context.Context, db *store.DB, dopo time.Duration, perSecondo float64) string {
	select {
	case <-time.After(dopo):
	case <-ctx.Done():
		return "promemoria: il carico è finito prima\n"
	}
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		rome = time.UTC
	}
	st, err := db.Settings(ctx)
	if err != nil {
		return fmt.Sprintf("promemoria: %v\n", err)
	}
	t0 := time.Now()
	n, err := sentinella.PromemoriaEmergenza(ctx, db, st.FinestreParsed(), time.Now(), rome)
	if err != nil {
		return fmt.Sprintf("promemoria: %d accodati, poi %v\n", n, err)
	}
	accodati := time.Since(t0)
	p, err := load.AvviaPosta()
	if err != nil {
		return fmt.Sprintf("promemoria: server SMTP: %v\n", err)
	}
	defer p.Chiudi()
	w := mail.NewWorker(db, mail.NewSMTP(mail.Config{Host: p.Host, Port: p.Port, TLS: "none", From: "portale@example.org"}),
		slog.New(slog.DiscardHandler), time.Second)
	w.Limite = mail.PerSecondo(perSecondo)
	t1 := time.Now()
	for ctx.Err() == nil && w.Drain(ctx) > 0 {
	}
	invio := time.Since(t1)
	return fmt.Sprintf("promemoria: %d accodati in %s dopo %s di carico; %d inviati in %s (%.0f/s)\n",
		n, accodati.Round(time.Millisecond), dopo, p.Ricevuti(), invio.Round(time.Millisecond), float64(p.Ricevuti())/invio.Seconds())
}
