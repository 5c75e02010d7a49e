package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/allerta"
	"github.com/portalescuole/portalescuole/store"
)

// tabella is an export: a header and rows of cells (strings or numbers).
type tabella struct {
	nome   string
	header []string
	rows   [][]any
}

// esterno reports whether the export is meant for sharing outside the
// ATS, where counts of 1–3 are suppressed.
func esterno(r *http.Request) bool { return r.URL.Query().Get("uso") == "esterno" }

// conteggio writes a count, suppressed as "<4" when 1–3 and shared outside.
func conteggio(n int, ext bool) any {
	if ext && n >= 1 && n <= 3 {
		return "<4"
	}
	return n
}

// scrivi writes the table as CSV or XLSX by the path's extension, and
// audits the export.
func (s *Server) scrivi(w http.ResponseWriter, r *http.Request, c *reqCtx, t tabella) {
	ext := esterno(r)
	name := t.nome
	if ext {
		name += "-condivisione"
	}
	s.db.Audit(r.Context(), actor(r, c.user), "export", t.nome, map[string]any{"uso_esterno": ext, "righe": len(t.rows), "url": r.URL.RequestURI()})
	if strings.HasSuffix(r.URL.Path, ".xlsx") {
		f := excelize.NewFile()
		defer f.Close()
		sw, err := f.NewStreamWriter("Sheet1")
		if err != nil {
			s.fail(w, r, err)
			return
		}
		head := make([]any, len(t.header))
		for i, h := range t.header {
			head[i] = h
		}
		sw.SetRow("A1", head)
		for i, row := range t.rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			sw.SetRow(cell, row)
		}
		if err := sw.Flush(); err != nil {
			s.fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.xlsx"`, name))
		f.Write(w)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.csv"`, name))
	w.Write([]byte("\ufeff"))
	cw := csv.NewWriter(w)
	cw.Write(t.header)
	for _, row := range t.rows {
		rec := make([]string, len(row))
		for i, v := range row {
			switch x := v.(type) {
			case float64:
				rec[i] = strconv.FormatFloat(x, 'f', -1, 64)
			default:
				rec[i] = fmt.Sprint(x)
			}
		}
		cw.Write(rec)
	}
	cw.Flush()
}

func round6(x float64) float64 { return float64(int64(x*1e6+0.5)) / 1e6 }

// exportSerie: a watched series, day by day (aggregates of many plessi).
func (s *Server) exportSerie(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	_, series, err := s.monitorate(r, ps.AnnoDi(s.now()))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	name := r.URL.Query().Get("serie")
	m, ok := allerta.Trova(series, name)
	if !ok {
		s.fail(w, r, &ps.Error{Code: ps.ENotFound, Message: "err.notfound.page"})
		return
	}
	tr, err := s.motore.Traccia(r.Context(), name, m.Punti[0].Giorno, m.Punti[len(m.Punti)-1].Giorno)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ext := esterno(r)
	t := tabella{nome: "serie-" + strings.ReplaceAll(name, ":", "-"), header: []string{"giorno", "plessi", "iscritti", "assenti", "tasso", "atteso", "soglia", "allarme"}}
	for i, g := range tr.Giorni {
		ass := tr.Assenti[i]
		row := []any{g.Format(ps.DateLayout), tr.Plessi[i], tr.Iscritti[i], conteggio(ass, ext), round6(tr.Tasso[i]), "", "", "0"}
		if ext && ass >= 1 && ass <= 3 {
			row[4] = "" // the rate would reveal the suppressed count
		}
		if v := tr.Atteso[i]; v == v {
			row[5] = round6(v)
		}
		if v := tr.Soglia[i]; v == v {
			row[6] = round6(v)
		}
		if tr.Allarme[i] {
			row[7] = "1"
		}
		t.rows = append(t.rows, row)
	}
	s.scrivi(w, r, c, t)
}

// exportAssenze: every sentinel plesso's latest daily figures of the year.
func (s *Server) exportAssenze(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	obs, _, err := s.monitorate(r, ps.AnnoDi(s.now()))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ext := esterno(r)
	t := tabella{nome: "assenze", header: []string{"giorno", "plesso", "provincia", "distretto", "grado", "iscritti", "assenti", "assenti_malattia"}}
	for _, o := range obs {
		mal := any("")
		if o.Malattia >= 0 {
			mal = conteggio(o.Malattia, ext)
		}
		t.rows = append(t.rows, []any{o.Giorno.Format(ps.DateLayout), o.Plesso, o.Strato.Provincia, o.Strato.Distretto, o.Strato.Grado,
			o.Iscritti, conteggio(o.Assenti, ext), mal})
	}
	s.scrivi(w, r, c, t)
}

func (s *Server) exportAllerte(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	sig, err := s.db.Segnali(r.Context(), store.SegnaleFilter{Limit: 5000})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// One row per alert episode: its first and last day, the peak day's
	// values.
	n := s.motore.Nominatore(r.Context())
	t := tabella{nome: "allerte", header: []string{"id", "dal", "al", "giorni_allerta", "serie", "nome_serie", "picco", "osservato", "atteso", "soglia", "metodo", "plessi", "iscritti", "completezza", "copertura", "stato", "assegnato"}}
	for _, g := range sig {
		t.rows = append(t.rows, []any{g.ID, g.Giorno.Format(ps.DateLayout), g.Al.Format(ps.DateLayout), g.Giorni, g.Serie, n.Nome(g.Serie), g.Picco.Format(ps.DateLayout),
			round6(g.Osservato), round6(g.Atteso), round6(g.Soglia), g.Metodo, g.Plessi, g.Iscritti, round6(g.Completezza), round6(g.Copertura), g.Stato, g.Assegnato})
	}
	s.scrivi(w, r, c, t)
}

func (s *Server) exportCompletezza(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	comp, _, _, err := s.completezza(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := tabella{nome: "completezza", header: []string{"plesso", "dal", "al", "scadenza", "stato", "giorni", "segnalati"}}
	for i, p := range comp.Plessi {
		for j, per := range comp.Periodi {
			cell := comp.Celle[i][j]
			t.rows = append(t.rows, []any{p.Codice, per.Dal.Format(ps.DateLayout), per.Al.Format(ps.DateLayout),
				per.Scadenza.In(rome).Format("2006-01-02 15:04"), string(cell.Stato), cell.Giorni, cell.Segnalati})
		}
	}
	s.scrivi(w, r, c, t)
}
