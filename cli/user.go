package cli

import (
	ps "github.com/portalescuole/portalescuole"

	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/portalescuole/portalescuole/auth"
	"github.com/portalescuole/portalescuole/store"
)

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
