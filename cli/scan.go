package cli

import (
	ps "github.com/portalescuole/portalescuole"

	"context"
	"fmt"
	"io"
	"time"

	"github.com/portalescuole/portalescuole/allerta"
	"github.com/portalescuole/portalescuole/metrics"
	"github.com/portalescuole/portalescuole/store"
)

// rilevaCmd runs a full detection, as the server's first run does, and
// reports its phases and the process's peak memory.
func rilevaCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	limitaMemoria()
	fs, dsn := newFlags("scan", stderr)
	oggi := fs.String("today", "", "giorno della rilevazione (predefinito: oggi)")
	alias(fs, "oggi", "today")
	if err := fs.Parse(args); err != nil {
		return err
	}
	now := time.Now()
	if *oggi != "" {
		d, err := time.Parse("2006-01-02", *oggi)
		if err != nil {
			return fmt.Errorf("--today: %w", err)
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
	fmt.Fprintf(stdout, "aggregati caricati in %s; rilevazione su %d serie in %s: %d nuove allerte (episodi), %d prolungate, %d anomalie dei dati; totale %s; memoria massima %d MiB\n",
		load.Round(time.Millisecond), es.Serie, es.Durata.Round(time.Millisecond), len(es.Nuovi), len(es.Estesi), es.Anomalie,
		time.Since(t0).Round(time.Millisecond), metrics.PiccoMemoria()>>20)
	return nil
}
