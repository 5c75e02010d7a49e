package web

import (
	"encoding/json"
	"net/http"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/sentinella"
)

type completezzaData struct {
	C     sentinella.Completezza
	Dal   string
	Al    string
	Stati []sentinella.Stato
}

func (s *Server) completezzaRange(r *http.Request) (time.Time, time.Time) {
	now := s.now().In(rome)
	to := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	from := to.AddDate(0, 0, -35)
	if d, err := time.Parse(ps.DateLayout, r.URL.Query().Get("dal")); err == nil {
		from = d
	}
	if d, err := time.Parse(ps.DateLayout, r.URL.Query().Get("al")); err == nil && !d.Before(from) {
		to = d
	}
	if to.Sub(from) > 366*24*time.Hour {
		from = to.AddDate(-1, 0, 0)
	}
	return from, to
}

// completezza loads the timeliness grid for the range asked in the URL.
func (s *Server) completezza(r *http.Request) (sentinella.Completezza, time.Time, time.Time, error) {
	from, to := s.completezzaRange(r)
	st, err := s.db.Settings(r.Context())
	if err != nil {
		return sentinella.Completezza{}, from, to, err
	}
	comp, err := sentinella.Carica(r.Context(), s.db, st.FinestreParsed(), from, to, s.now(), rome)
	return comp, from, to, err
}

func (s *Server) completezzaPage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	comp, from, to, err := s.completezza(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := completezzaData{C: comp, Dal: from.Format(ps.DateLayout), Al: to.Format(ps.DateLayout),
		Stati: []sentinella.Stato{sentinella.InTempo, sentinella.InRitardo, sentinella.Mancante, sentinella.Aperta}}
	s.render(w, r, http.StatusOK, "completezza", s.newPage(r, c, "ats.completezza", d))
}

// completezzaJSON feeds the chart: per window, its first day and the share
// of sentinel plessi on time (null while the window is open).
func (s *Server) completezzaJSON(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	comp, _, _, err := s.completezza(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	type point struct {
		Dal     string   `json:"dal"`
		Al      string   `json:"al"`
		InTempo *float64 `json:"in_tempo"`
	}
	out := make([]point, len(comp.Periodi))
	for j, p := range comp.Periodi {
		out[j] = point{Dal: p.Dal.Format(ps.DateLayout), Al: p.Al.Format(ps.DateLayout)}
		if comp.Tasso[j] >= 0 {
			v := comp.Tasso[j] * 100
			out[j].InTempo = &v
		}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}
