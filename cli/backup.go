package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/portalescuole/portalescuole/backup"
	"github.com/portalescuole/portalescuole/store"
)

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
