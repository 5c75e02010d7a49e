package load

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/auth"
	"github.com/portalescuole/portalescuole/store"
)

// MixEmergenza: the opening of an emergency day, every plesso of the
// territory submitting through its register's API while a tenth of the
// requests view the dashboard.
var MixEmergenza = map[string]int{OpAPI: 90, OpCruscotto: 10}

// PreparaEmergenza readies the emergency mix: emergency mode for the
// territory from today (unless already in force), and up to n active plessi
// of grades 6–19, sentinel or not, with enrolment in force and school
// today, each with an API token; each reports today once. Tokens are
// created in bulk, logins are not needed (the API is the path at scale).
func PreparaEmergenza(ctx context.Context, db *store.DB, n int, now time.Time) (*Preparazione, error) {
	anno := ps.AnnoDi(now)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	a := ps.Actor{Username: "carico"}
	if _, err := db.StartEmergenza(ctx, a, "territorio", today, "", "10:00"); err != nil && ps.ErrorCode(err) != ps.EConflict {
		return nil, fmt.Errorf("modalità emergenza: %w", err)
	}
	plessi, err := db.Plessi(ctx, store.PlessoFilter{InScope: true, Attivi: true})
	if err != nil {
		return nil, err
	}
	revs, err := db.ConsistenzeDopo(ctx, 0)
	if err != nil {
		return nil, err
	}
	byPlesso := map[string][]ps.Consistenza{}
	for _, r := range revs {
		byPlesso[r.Plesso] = append(byPlesso[r.Plesso], r)
	}
	cals, err := db.Calendari(ctx, plessi, anno)
	if err != nil {
		return nil, err
	}
	prep := &Preparazione{ATSUser: "carico-ats"}
	var codes []string
	for _, p := range plessi {
		if len(prep.Plessi) >= n {
			break
		}
		c := store.InVigore(byPlesso[p.Codice], today)
		if c == nil || c.Iscritti < 20 || !cals[p.Codice].GiornoScolastico(today) {
			continue
		}
		prep.Plessi = append(prep.Plessi, plessoCarico{Codice: p.Codice, Giorni: []time.Time{today}, Iscritti: c.Iscritti, Classi: c.Classi})
		codes = append(codes, p.Codice)
	}
	if len(prep.Plessi) == 0 {
		return nil, fmt.Errorf("nessun plesso con iscritti in vigore e lezione oggi: caricare dati (generate)")
	}
	toks, err := db.CreateTokens(ctx, a, codes, "carico-emergenza")
	if err != nil {
		return nil, err
	}
	for i := range prep.Plessi {
		prep.Plessi[i].Token = toks[prep.Plessi[i].Codice]
	}
	// Shuffled: the opening burst does not come in register order.
	rng := rand.New(rand.NewPCG(uint64(now.UnixNano()), 7))
	rng.Shuffle(len(prep.Plessi), func(i, j int) { prep.Plessi[i], prep.Plessi[j] = prep.Plessi[j], prep.Plessi[i] })
	if _, err := db.UserByUsername(ctx, prep.ATSUser); err != nil {
		hash, err := auth.Hash(Password, auth.DefaultParams)
		if err != nil {
			return nil, err
		}
		if _, err := db.CreateUser(ctx, a, ps.User{Username: prep.ATSUser, Role: ps.RoleATS, PasswordHash: hash}); err != nil {
			return nil, err
		}
	}
	return prep, nil
}

// VerificaGiorno is Verifica for writes all of one day: one query instead
// of one per plesso.
func VerificaGiorno(ctx context.Context, db *store.DB, writes []Scrittura, giorno time.Time) (int, []Scrittura, error) {
	vals, err := db.ValoriAssentiGiorno(ctx, giorno)
	if err != nil {
		return 0, nil, err
	}
	have := map[string]map[int]bool{}
	for _, v := range vals {
		if have[v.Plesso] == nil {
			have[v.Plesso] = map[int]bool{}
		}
		have[v.Plesso][v.Assenti] = true
	}
	found := 0
	var missing []Scrittura
	for _, w := range writes {
		if w.Tipo != OpIscritti && strings.EqualFold(w.Giorno.Format(ps.DateLayout), giorno.Format(ps.DateLayout)) && have[w.Plesso][w.Valore] {
			found++
		} else {
			missing = append(missing, w)
		}
	}
	return found, missing, nil
}
