package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/portalescuole/portalescuole/store"
)

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
