package allerta

import (
	"bytes"
	"context"
	"fmt"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/sim"
	"github.com/portalescuole/portalescuole/store"
)

// IsInfluNet reports whether a file looks like InfluNet's weekly CSV.
func IsInfluNet(data []byte) bool {
	first, _, _ := bytes.Cut(data, []byte("\n"))
	return bytes.Contains(first, []byte("flu_season")) && bytes.Contains(first, []byte("inc_5-14"))
}

// ImportaInfluNet stores the school-age incidence of an InfluNet weekly CSV
// (the layout of the shared InfluNet file); a bad file changes nothing.
func ImportaInfluNet(ctx context.Context, db *store.DB, a ps.Actor, data []byte) (int, error) {
	rep, err := ImportInfluNet(ctx, db, a, data, store.ImportOptions{Filename: "influnet.csv"})
	if err != nil {
		return 0, err
	}
	return len(rep.Added) + len(rep.Changed), nil
}

// MaxRigheInfluNet bounds an InfluNet file: thirty seasons of 53 weeks
// are 1,600 rows.
const MaxRigheInfluNet = 20000

// ImportInfluNet imports an InfluNet file as every other import: recorded
// in import_runs with the weeks added and changed; a dry run stores nothing.
func ImportInfluNet(ctx context.Context, db *store.DB, a ps.Actor, data []byte, o store.ImportOptions) (*store.ImportReport, error) {
	if n := bytes.Count(data, []byte("\n")); n > MaxRigheInfluNet {
		return nil, fmt.Errorf("il file ha %d righe, più delle %d attese da InfluNet", n, MaxRigheInfluNet)
	}
	seasons, err := sim.LoadInfluNet(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	var weeks []store.InfluNetSettimana
	for _, s := range seasons {
		for _, w := range s.Weeks {
			weeks = append(weeks, store.InfluNetSettimana{Settimana: fmt.Sprintf("%d-%02d", w.Year, w.Week), Stagione: s.Name, Incidenza: w.Inc})
		}
	}
	return db.ImportInfluNet(ctx, a, data, weeks, o)
}
