package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/portalescuole/portalescuole/generate"
	"github.com/portalescuole/portalescuole/store"
)

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
	r, err := generate.Genera(ctx, db, generate.Opzioni{Plessi: *n, Anni: *years, Seed: *seed, Quota: *quota}, stdout)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "generati %d plessi in %s\n", *n, r.Durata.Round(time.Millisecond))
	return nil
}
