package web

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/aggregati"
	"github.com/portalescuole/portalescuole/allerta"
	"github.com/portalescuole/portalescuole/riservatezza"
	"github.com/portalescuole/portalescuole/serie"
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

// Suppression of a cell in the external exports.
const (
	pubblico    = iota
	primaria    // a count of 1–3: "<4"
	complemento // hidden so that subtraction cannot give back a primary one
)

// riservato is what an external export writes for a count complementarily
// suppressed: it may be any number, so not "<4".
const riservato = "riservato"

// cellaEsterna writes a count of an external export by its suppression.
func cellaEsterna(n int, stato int8) any {
	switch stato {
	case primaria:
		return "<4"
	case complemento:
		return riservato
	}
	return n
}

// proteggiEsterno decides, day by day, which counts the external exports
// suppress. Each day's table holds every plesso's absent pupils and the
// watched aggregates (territory, provinces, districts, grades) as totals of
// their plessi, and is protected as a whole (riservatezza.Proteggi): the
// series export and the per-plesso export, taken together, give back no
// suppressed count. Keys are "giorno|plesso:CODICE" and "giorno|serie:NOME".
func proteggiEsterno(obs []serie.Osservazione) map[string]int8 {
	byDay := map[string][]serie.Osservazione{}
	for _, o := range obs {
		d := o.Giorno.Format(ps.DateLayout)
		byDay[d] = append(byDay[d], o)
	}
	out := map[string]int8{}
	for d, day := range byDay {
		var t riservatezza.Tabella
		keys := make([]string, 0, len(day))
		groups := map[string][]int{}
		var names []string
		for _, o := range day {
			i := len(t.Valori)
			t.Valori = append(t.Valori, o.Assenti)
			keys = append(keys, d+"|plesso:"+o.Plesso)
			for _, g := range []string{aggregati.Territorio, "provincia:" + o.Strato.Provincia, "distretto:" + o.Strato.Distretto, "grado:" + o.Strato.Grado} {
				if strings.HasSuffix(g, ":") {
					continue // no district or grade: no such series
				}
				if _, ok := groups[g]; !ok {
					names = append(names, g)
				}
				groups[g] = append(groups[g], i)
			}
		}
		sort.Strings(names)
		for _, g := range names {
			sum := 0
			for _, i := range groups[g] {
				sum += t.Valori[i]
			}
			t.Vincoli = append(t.Vincoli, riservatezza.Vincolo{Totale: len(t.Valori), Parti: groups[g]})
			t.Valori = append(t.Valori, sum)
			keys = append(keys, d+"|serie:"+g)
		}
		segna(out, keys, t)
		proteggiMotivo(out, d, day, aggregati.PrefissoFebbre, func(o serie.Osservazione) int { return o.Febbre })
		proteggiMotivo(out, d, day, aggregati.PrefissoGastro, func(o serie.Osservazione) int { return o.Gastro })
	}
	return out
}

// segna protects a table and records each suppressed cell's state by key.
func segna(out map[string]int8, keys []string, t riservatezza.Tabella) {
	e := riservatezza.ProteggiEsito(t, riservatezza.Esterno)
	for i, x := range e.Soppressi {
		switch {
		case keys[i] == "":
			// a hidden cell: never published
		case e.Minore[i]:
			out[keys[i]] = primaria
		case x:
			out[keys[i]] = complemento // or a small count whose "<4" would give it back
		}
	}
}

// proteggiMotivo protects one day's fever/respiratory (or gastrointestinal)
// series: only their aggregates are published (territory, provinces,
// grades), so the table's finest cells, province × grade, are hidden, and
// the published totals are their margins. A grade made of one plesso can
// then not be had as the territory minus the other grades (issue 21: 26 −
// 13 − 10 = 3). Plessi that gave no reasons do not count.
func proteggiMotivo(out map[string]int8, d string, day []serie.Osservazione, prefisso string, conta func(serie.Osservazione) int) {
	type strato struct{ prov, grado string }
	atomi := map[strato]int{}
	var ordine []strato
	for _, o := range day {
		n := conta(o)
		if n < 0 {
			continue
		}
		k := strato{o.Strato.Provincia, o.Strato.Grado}
		if _, ok := atomi[k]; !ok {
			ordine = append(ordine, k)
		}
		atomi[k] += n
	}
	if len(ordine) == 0 {
		return
	}
	sort.Slice(ordine, func(i, j int) bool {
		if ordine[i].prov != ordine[j].prov {
			return ordine[i].prov < ordine[j].prov
		}
		return ordine[i].grado < ordine[j].grado
	})
	var t riservatezza.Tabella
	var keys []string
	margini := map[string][]int{}
	var nomi []string
	for _, k := range ordine {
		i := len(t.Valori)
		t.Valori = append(t.Valori, atomi[k])
		t.Nascoste = append(t.Nascoste, true)
		keys = append(keys, "")
		for _, g := range []string{aggregati.Territorio, "provincia:" + k.prov, "grado:" + k.grado} {
			if strings.HasSuffix(g, ":") {
				continue
			}
			if _, ok := margini[g]; !ok {
				nomi = append(nomi, g)
			}
			margini[g] = append(margini[g], i)
		}
	}
	sort.Strings(nomi)
	for _, g := range nomi {
		sum := 0
		for _, i := range margini[g] {
			sum += t.Valori[i]
		}
		t.Vincoli = append(t.Vincoli, riservatezza.Vincolo{Totale: len(t.Valori), Parti: margini[g]})
		t.Valori = append(t.Valori, sum)
		t.Nascoste = append(t.Nascoste, false)
		keys = append(keys, d+"|serie:"+prefisso+g)
	}
	segna(out, keys, t)
}

// rilasciate returns the observations the external exports rest on: each
// plesso day of the school year as it stood at its reporting window's
// deadline, once the deadline has passed (store.OsservazioniRilasciate):
// a late report never moves a figure already shared (issue 21: two
// downloads before and after one late report gave it back).
func (s *Server) rilasciate(r *http.Request) ([]serie.Osservazione, error) {
	st, err := s.db.Settings(r.Context())
	if err != nil {
		return nil, err
	}
	return s.rilasciateTra(r.Context(), st, s.annoMostrato().Inizio(), s.today())
}

// rilasciateTra is rilasciate over [from, to] with the given settings.
func (s *Server) rilasciateTra(ctx context.Context, st store.Settings, from, to time.Time) ([]serie.Osservazione, error) {
	fs := st.FinestreParsed()
	scad := func(d time.Time) (time.Time, bool) {
		p, ok := ps.PeriodoDi(fs, d, rome)
		return p.Scadenza, ok
	}
	return s.db.OsservazioniRilasciate(ctx, from, to, scad, s.now())
}

// puntiRilasciati sums the released observations of a watched series by
// day: its plessi (by the series' area and grade), pupils and absent (the
// fever or gastro part for those series; plessi that gave no reasons do
// not count there).
func puntiRilasciati(obs []serie.Osservazione, name string) map[string]serie.Punto {
	base, motivo := aggregati.Base(name)
	kind, val, _ := strings.Cut(base, ":")
	out := map[string]serie.Punto{}
	for _, o := range obs {
		switch kind {
		case "plesso":
			if o.Plesso != val {
				continue
			}
		case "provincia":
			if o.Strato.Provincia != val {
				continue
			}
		case "distretto":
			if o.Strato.Distretto != val {
				continue
			}
		case "grado":
			if o.Strato.Grado != val {
				continue
			}
		}
		n := o.Assenti
		switch motivo + "/" {
		case aggregati.PrefissoFebbre:
			n = o.Febbre
		case aggregati.PrefissoGastro:
			n = o.Gastro
		}
		if n < 0 {
			continue
		}
		d := o.Giorno.Format(ps.DateLayout)
		p := out[d]
		p.Giorno, p.Assenti, p.Iscritti, p.Plessi = o.Giorno, p.Assenti+n, p.Iscritti+o.Iscritti, p.Plessi+1
		out[d] = p
	}
	return out
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
	// formato=excel-it: the layout Italian Excel opens in columns
	// (semicolon, decimal comma); the default stays the machine one.
	excelIT := r.URL.Query().Get("formato") == "excel-it"
	if excelIT {
		name += "-excel"
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.csv"`, name))
	w.Write([]byte("\ufeff"))
	cw := newCSV(w)
	if excelIT {
		cw.w.Comma = ';'
	}
	cw.Write(t.header)
	for _, row := range t.rows {
		rec := make([]string, len(row))
		for i, v := range row {
			switch x := v.(type) {
			case float64:
				rec[i] = strconv.FormatFloat(x, 'f', -1, 64)
				if excelIT {
					rec[i] = strings.Replace(rec[i], ".", ",", 1)
				}
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
	obs, series, err := s.monitorate(r, s.annoMostrato())
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
	var prot map[string]int8
	var rel map[string]serie.Punto
	if ext {
		// Shared outside: the figures as released (each day as it stood at
		// its window's deadline), protected together with the other
		// external exports of the same figures.
		if obs, err = s.rilasciate(r); err != nil {
			s.fail(w, r, err)
			return
		}
		prot, rel = proteggiEsterno(obs), puntiRilasciati(obs, name)
		// The expected values and alarms too come from the released
		// figures alone, so that nothing in the file moves with a late
		// report (the method run on these days, as the bulletin does).
		days := make([]serie.Punto, 0, len(rel))
		for _, p := range rel {
			days = append(days, p)
		}
		sort.Slice(days, func(i, j int) bool { return days[i].Giorno.Before(days[j].Giorno) })
		if tr, err = allerta.Disegna(allerta.Monitorata{Nome: name, Punti: serie.Feriali(days)}); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	key := "|serie:" + name
	if c, ok := strings.CutPrefix(name, aggregati.PrefissoPlesso); ok {
		key = "|plesso:" + c // a plesso's series is its cells of the per-plesso export
	}
	t := tabella{nome: "serie-" + strings.ReplaceAll(name, ":", "-"), header: []string{"giorno", "plessi", "iscritti", "assenti", "tasso", "atteso", "soglia", "allarme"}}
	for i, g := range tr.Giorni {
		day := g.Format(ps.DateLayout)
		plessi, iscritti, ass, tasso := tr.Plessi[i], tr.Iscritti[i], tr.Assenti[i], tr.Tasso[i]
		row := []any{day, plessi, iscritti, ass, round6(tasso), "", "", "0"}
		if ext {
			st, ok := prot[day+key]
			if !ok && ass >= 1 && ass <= 3 {
				st = primaria // not in the protected tables: the rule alone
			}
			if st != pubblico {
				row[3] = cellaEsterna(ass, st)
				row[4] = "" // the rate would reveal the suppressed count
			}
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
	ext := esterno(r)
	var obs []serie.Osservazione
	var err error
	if ext {
		obs, err = s.rilasciate(r)
	} else {
		obs, _, err = s.monitorate(r, s.annoMostrato())
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var prot map[string]int8
	if ext {
		prot = proteggiEsterno(obs)
	}
	t := tabella{nome: "assenze", header: []string{"giorno", "plesso", "provincia", "distretto", "grado", "iscritti", "assenti", "assenti_malattia"}}
	for _, o := range obs {
		mal := any("")
		if o.Malattia >= 0 {
			// No total of illness absence is published: the rule alone.
			mal = conteggio(o.Malattia, ext)
		}
		ass := any(o.Assenti)
		if ext {
			ass = cellaEsterna(o.Assenti, prot[o.Giorno.Format(ps.DateLayout)+"|plesso:"+o.Plesso])
		}
		t.rows = append(t.rows, []any{o.Giorno.Format(ps.DateLayout), o.Plesso, o.Strato.Provincia, o.Strato.Distretto, o.Strato.Grado,
			o.Iscritti, ass, mal})
	}
	s.scrivi(w, r, c, t)
}

func (s *Server) exportAllerte(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	// The list's filters, so that the page's export links download what it shows.
	q := r.URL.Query()
	sig, err := s.db.Segnali(r.Context(), store.SegnaleFilter{Stato: q.Get("stato"), Tipo: q.Get("tipo"), Livello: q.Get("livello"), Aperti: q.Get("aperte") == "1" && q.Get("stato") == "", Limit: 5000})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// One row per alert episode: its first and last day, the peak day's
	// values.
	n := s.motore.Nominatore(r.Context())
	// Shared outside the ATS, an alert's peak rate goes through the same
	// protection as the series and plessi it comes from: a peak rate times
	// its pupils is a count (0,1 × 30 = 3).
	ext := esterno(r)
	var prot map[string]int8
	if ext {
		obs, err := s.rilasciate(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		prot = proteggiEsterno(obs)
	}
	t := tabella{nome: "allerte", header: []string{"id", "dal", "al", "giorni_allerta", "serie", "nome_serie", "picco", "osservato", "atteso", "limite_sup_95", "evidenza", "soglia_evidenza", "metodo", "plessi", "iscritti", "completezza", "copertura", "stato", "assegnato"}}
	for _, g := range sig {
		var ev, sev any = "", ""
		if g.SogliaEvidenza > 0 {
			ev, sev = round6(g.Evidenza), round6(g.SogliaEvidenza)
		}
		var oss any = round6(g.Osservato)
		if ext && !rateEsterno(prot, g) {
			oss = riservato
		}
		t.rows = append(t.rows, []any{g.ID, g.Giorno.Format(ps.DateLayout), g.Al.Format(ps.DateLayout), g.Giorni, g.Serie, n.Nome(g.Serie), g.Picco.Format(ps.DateLayout),
			oss, round6(g.Atteso), round6(g.Soglia), ev, sev, g.Metodo, g.Plessi, g.Iscritti, round6(g.Completezza), round6(g.Copertura), g.Stato, g.Assegnato})
	}
	s.scrivi(w, r, c, t)
}

// rateEsterno reports whether an alert's peak rate may be shared: the
// external exports do not suppress its count on the peak day (prot holds
// the suppressed cells only), and the count the rate gives back is not
// 1–3 (the rule alone, for a day of another school year).
func rateEsterno(prot map[string]int8, g ps.Segnale) bool {
	d := g.Picco.Format(ps.DateLayout)
	key := d + "|serie:" + g.Serie
	if c, ok := strings.CutPrefix(g.Serie, aggregati.PrefissoPlesso); ok {
		key = d + "|plesso:" + c
	}
	if _, suppressed := prot[key]; suppressed {
		return false
	}
	n := int(math.Round(g.Osservato * float64(g.Iscritti)))
	return !(n >= 1 && n <= 3)
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
