package cli

import (
	ps "github.com/portalescuole/portalescuole"

	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/portalescuole/portalescuole/allerta"
	"github.com/portalescuole/portalescuole/anagrafe"
	"github.com/portalescuole/portalescuole/store"
)

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
