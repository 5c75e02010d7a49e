package cli

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/portalescuole/portalescuole/carico"
	"github.com/portalescuole/portalescuole/store"
)

func caricoCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dsn := newFlags("load", stderr)
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
