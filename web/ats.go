package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/store"
)

func storeFilterIstituto(codice string) store.PlessoFilter {
	return store.PlessoFilter{Istituto: codice, Attivi: true, InScope: true}
}

// adempimentiQuery is the filter of the compliance page, from the URL.
type adempimentiQuery struct {
	Anno      ps.AnnoScolastico
	Provincia string
	Distretto string
	Grado     string
	Istituto  string
	Stato     string // "", "fatto", "manca"
	Testo     string
}

func (q adempimentiQuery) Encode() string {
	v := url.Values{}
	v.Set("anno", q.Anno.String())
	for k, s := range map[string]string{"provincia": q.Provincia, "distretto": q.Distretto, "grado": q.Grado,
		"istituto": q.Istituto, "stato": q.Stato, "q": q.Testo} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v.Encode()
}

func (s *Server) readAdempimentiQuery(r *http.Request) adempimentiQuery {
	v := r.URL.Query()
	if r.Method == http.MethodPost {
		v = r.PostForm
	}
	q := adempimentiQuery{Anno: ps.AnnoDi(s.now())}
	if a, ok := ps.ParseAnno(v.Get("anno")); ok {
		q.Anno = a
	}
	q.Provincia, q.Distretto, q.Istituto = v.Get("provincia"), v.Get("distretto"), ps.NormalizeCodice(v.Get("istituto"))
	q.Grado, q.Stato, q.Testo = v.Get("grado"), v.Get("stato"), v.Get("q")
	return q
}

// rows returns the compliance rows matching q.
func (s *Server) adempimentiRows(r *http.Request, q adempimentiQuery) ([]ps.Adempimento, error) {
	rows, err := s.adempimentiSelezione(r, q)
	if err != nil {
		return nil, err
	}
	return filtraStato(rows, q.Stato), nil
}

// adempimentiSelezione is every row matching q but its state: the base of
// the percentages (with "Da inserire" chosen, the share done is still the
// share of the selection, not 0%).
func (s *Server) adempimentiSelezione(r *http.Request, q adempimentiQuery) ([]ps.Adempimento, error) {
	return s.db.Adempimenti(r.Context(), q.Anno, store.PlessoFilter{
		Provincia: q.Provincia, Distretto: q.Distretto, Grado: ps.Grado(q.Grado), IstitutoParziale: q.Istituto,
		InScope: true, Attivi: true, Testo: q.Testo,
	})
}

func filtraStato(rows []ps.Adempimento, stato string) []ps.Adempimento {
	if stato == "" {
		return rows
	}
	out := make([]ps.Adempimento, 0, len(rows))
	for _, a := range rows {
		if a.Fatto() == (stato == "fatto") {
			out = append(out, a)
		}
	}
	return out
}

type adempimentiData struct {
	Q adempimentiQuery
	// Export links with the page's filters, built with url.Values and
	// passed as a URL so the template does not escape the query again.
	CSV, XLSX   template.URL
	Anni        []ps.AnnoScolastico
	Province    []string
	Distretti   []ps.Distretto
	Gradi       []ps.Grado
	Totale      ps.Tasso
	PerProv     []ps.Tasso
	PerDistr    []ps.Tasso
	PerGrado    []ps.Tasso
	PerIstituto []ps.Tasso
	Righe       []ps.Adempimento
	Mostrate    int
}

const maxRighe = 500 // rows shown on the page; the exports have all

func (s *Server) adempimenti(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	q := s.readAdempimentiQuery(r)
	sel, err := s.adempimentiSelezione(r, q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rows := filtraStato(sel, q.Stato)
	qs := q.Encode()
	d := adempimentiData{Q: q, CSV: template.URL("/ats/adempimenti.csv?" + qs), XLSX: template.URL("/ats/adempimenti.xlsx?" + qs), Gradi: []ps.Grado{ps.Primaria, ps.Secondaria1, ps.Secondaria2}}
	cur := ps.AnnoDi(s.now())
	d.Anni = []ps.AnnoScolastico{cur + 1, cur, cur - 1, cur - 2}
	d.Province, _ = s.db.Province(r.Context())
	d.Distretti, _ = s.db.Distretti(r.Context())
	distName := map[string]string{}
	for _, x := range d.Distretti {
		distName[x.Codice] = x.Nome
	}
	istName := map[string]string{}
	if ist, err := s.db.Istituti(r.Context()); err == nil {
		for _, i := range ist {
			istName[i.Codice] = i.Nome
		}
	}
	none := tr(c.lang, "grado.")
	d.Totale = ps.Totale(sel)
	d.PerProv = ps.Raggruppa(sel, func(a ps.Adempimento) string { return a.Plesso.Provincia }, func(k string) string { return k })
	d.PerDistr = ps.Raggruppa(sel, func(a ps.Adempimento) string { return a.Plesso.Distretto }, func(k string) string {
		if k == "" {
			return none
		}
		return distName[k]
	})
	d.PerGrado = ps.Raggruppa(sel, func(a ps.Adempimento) string { return string(a.Plesso.Grado) }, func(k string) string { return tr(c.lang, "grado."+k) })
	d.PerIstituto = ps.Raggruppa(sel, func(a ps.Adempimento) string { return a.Plesso.Istituto }, func(k string) string {
		if k == "" {
			return none
		}
		if n := istName[k]; n != "" {
			return k + " – " + n
		}
		return k
	})
	d.Righe = rows
	if len(rows) > maxRighe {
		d.Righe = rows[:maxRighe]
	}
	d.Mostrate = len(d.Righe)
	s.render(w, r, http.StatusOK, "adempimenti", s.newPage(r, c, "ats.adempimenti", d))
}

var exportHeader = []string{"anno_scolastico", "codice", "nome", "istituto", "grado", "provincia", "comune", "distretto",
	"stato", "iscritti", "classi", "in_vigore_dal", "revisione", "aggiornato_il", "studenti_mim", "sentinella"}

func exportRow(q adempimentiQuery, a ps.Adempimento) []string {
	row := []string{q.Anno.String(), a.Plesso.Codice, a.Plesso.Nome, a.Plesso.Istituto, string(a.Plesso.Grado), a.Plesso.Provincia,
		a.Plesso.ComuneNome, a.Plesso.Distretto, "mancante", "", "", "", "", "", "", "no"}
	if c := a.Consistenza; c != nil {
		row[8] = "inserito"
		row[9], row[10] = strconv.Itoa(c.Iscritti), strconv.Itoa(c.Classi)
		row[11], row[12] = c.ValidoDal.Format(ps.DateLayout), strconv.Itoa(c.Revisione)
		row[13] = c.CreatoIl.Format("2006-01-02T15:04:05Z")
	}
	if a.StudentiMIM > 0 {
		row[14] = strconv.Itoa(a.StudentiMIM)
	}
	if a.Sentinella {
		row[15] = "sì"
	}
	return row
}

// The exports are for the ATS's own work (per-plesso figures, no pupil
// data), so small counts are not suppressed here.
func (s *Server) adempimentiCSV(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	q := s.readAdempimentiQuery(r)
	rows, err := s.adempimentiRows(r, q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.db.Audit(r.Context(), actor(r, c.user), "export.csv", "adempimenti", map[string]string{"filtro": q.Encode()})
	excelIT := r.URL.Query().Get("formato") == "excel-it" // see scrivi
	name := fmt.Sprintf("adempimenti-%d", int(q.Anno))
	if excelIT {
		name += "-excel"
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.csv"`, name))
	w.Write([]byte("\ufeff")) // lets Excel read UTF-8
	cw := newCSV(w)
	if excelIT {
		cw.w.Comma = ';'
	}
	cw.Write(exportHeader)
	for _, a := range rows {
		rec := exportRow(q, a)
		if excelIT {
			for i, v := range rec {
				if numeroCSV.MatchString(v) {
					rec[i] = strings.Replace(v, ".", ",", 1)
				}
			}
		}
		cw.Write(rec)
	}
	cw.Flush()
}

func (s *Server) adempimentiXLSX(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	q := s.readAdempimentiQuery(r)
	rows, err := s.adempimentiRows(r, q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := excelize.NewFile()
	defer f.Close()
	sheet := "Adempimenti"
	f.SetSheetName("Sheet1", sheet)
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cells := func(row []string, numeric map[int]bool) []any {
		out := make([]any, len(row))
		for i, v := range row {
			if n, err := strconv.Atoi(v); err == nil && numeric[i] {
				out[i] = n
			} else {
				out[i] = v
			}
		}
		return out
	}
	sw.SetRow("A1", cells(exportHeader, nil))
	num := map[int]bool{9: true, 10: true, 12: true, 14: true}
	for i, a := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, cells(exportRow(q, a), num)); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if err := sw.Flush(); err != nil {
		s.fail(w, r, err)
		return
	}
	s.db.Audit(r.Context(), actor(r, c.user), "export.xlsx", "adempimenti", map[string]string{"filtro": q.Encode()})
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="adempimenti-%d.xlsx"`, int(q.Anno)))
	f.Write(w)
}
