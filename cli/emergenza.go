package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/sentinella"
	"github.com/portalescuole/portalescuole/store"
)

const usageEmergenza = `Uso:
  portalescuole emergency start  --db ... --scope AMBITO [--from AAAA-MM-GG] [--deadline 10:00] [--frequency giornaliera|finestre]
  portalescuole emergency stop   --db ... --scope AMBITO [--to AAAA-MM-GG]   (ultimo giorno; predefinito: ieri)
  portalescuole emergency status --db ...
AMBITO: territorio, provincia:CR, distretto:CODICE, grado:primaria|secondaria1|secondaria2.
I server in esecuzione applicano il cambiamento entro un minuto.
`

var emergenzaMsg = map[string]string{
	"err.emergenza.ambito":     "ambito non valido: territorio, provincia:CR, distretto:CODICE o grado:primaria|secondaria1|secondaria2, tra quelli dell'anagrafe",
	"err.emergenza.scadenza":   "scadenza non valida: scrivere l'ora come 10:00",
	"err.emergenza.frequenza":  "frequenza non valida: giornaliera o finestre",
	"err.emergenza.dal":        "data non valida (AAAA-MM-GG)",
	"err.emergenza.attiva":     "per questo ambito la modalità emergenza è già in corso",
	"err.notfound.emergenza":   "per questo ambito non c'è una modalità emergenza in corso",
	"err.emergenza.dal.limiti": "la modalità emergenza può iniziare dal %s al %s (al più due settimane indietro, nell'anno scolastico in corso, e due mesi avanti)",
}

// emergencyCmd starts, stops and lists emergency periods.
func emergencyCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageEmergenza)
		return errors.New("indicare start, stop o status")
	}
	sub := args[0]
	fs, dsn := newFlags("emergency "+sub, stderr)
	scope := fs.String("scope", "", "ambito: territorio, provincia:CR, distretto:CODICE, grado:primaria")
	from := fs.String("from", "", "primo giorno (AAAA-MM-GG; predefinito: oggi)")
	to := fs.String("to", "", "ultimo giorno (AAAA-MM-GG; predefinito: ieri)")
	deadline := fs.String("deadline", "10:00", "scadenza giornaliera (HH:MM, ora italiana)")
	freq := fs.String("frequency", store.FrequenzaGiornaliera, "giornaliera o finestre (quelle dei plessi sentinella)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		rome = time.UTC
	}
	n := time.Now().In(rome)
	today := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
	day := func(s string, def time.Time) (time.Time, error) {
		if s == "" {
			return def, nil
		}
		d, err := time.Parse(ps.DateLayout, s)
		if err != nil {
			return d, fmt.Errorf("data %q non valida (AAAA-MM-GG)", s)
		}
		return d, nil
	}
	if (sub == "start" || sub == "stop") && *scope == "" {
		return errors.New("indicare --scope")
	}
	db, err := store.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	a := ps.Actor{Username: "cli"}
	switch sub {
	case "start":
		dal, err := day(*from, today)
		if err != nil {
			return err
		}
		e, err := db.StartEmergenza(ctx, a, *scope, dal, *freq, *deadline)
		if err != nil {
			return emergenzaErr(err)
		}
		fmt.Fprintf(stdout, "modalità emergenza avviata: %s dal %s, scadenza %s (%s)\n", e.Ambito, e.Dal.Format(ps.DateLayout), e.Scadenza, e.Frequenza)
		// The instructions are queued here too; a running server would
		// queue them within its reminder interval (dedupe keys).
		st, err := db.Settings(ctx)
		if err != nil {
			return err
		}
		k, err := sentinella.PromemoriaEmergenza(ctx, db, st.FinestreParsed(), time.Now(), rome)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d e-mail di istruzioni in coda\n", k)
	case "stop":
		al, err := day(*to, today.AddDate(0, 0, -1))
		if err != nil {
			return err
		}
		e, err := db.StopEmergenza(ctx, a, *scope, al)
		if err != nil {
			return emergenzaErr(err)
		}
		fmt.Fprintf(stdout, "modalità emergenza terminata: %s, ultimo giorno %s\n", e.Ambito, e.Al.Format(ps.DateLayout))
	case "status":
		list, err := db.Emergenze(ctx)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			fmt.Fprintln(stdout, "nessun periodo di emergenza")
		}
		for _, e := range list {
			stato := "in corso"
			al := ""
			if !e.Aperta() {
				stato = "terminata da " + e.ChiusaDa + " il " + e.ChiusaIl.In(rome).Format("2006-01-02 15:04")
				al = e.Al.Format(ps.DateLayout)
			}
			fmt.Fprintf(stdout, "%s\tdal %s\tal %s\tscadenza %s\t%s\tavviata da %s il %s\t%s\n", e.Ambito, e.Dal.Format(ps.DateLayout), al,
				e.Scadenza, e.Frequenza, e.AvviataDa, e.AvviataIl.In(rome).Format("2006-01-02 15:04"), stato)
		}
	default:
		fmt.Fprint(stderr, usageEmergenza)
		return fmt.Errorf("sottocomando sconosciuto %q", sub)
	}
	return nil
}

// emergenzaErr turns a domain error into the command's Italian message.
func emergenzaErr(err error) error {
	key, args := ps.SplitMsg(ps.ErrorMessage(err))
	if m, ok := emergenzaMsg[key]; ok {
		return fmt.Errorf(m, args...)
	}
	return err
}
