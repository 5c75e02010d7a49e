package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	ps "github.com/portalescuole/portalescuole"
	pub "github.com/portalescuole/portalescuole/pubblico"
	"github.com/portalescuole/portalescuole/serie"
	"github.com/portalescuole/portalescuole/store"
)

// The public figures (/pubblico): published only when the ATS turned them
// on in the settings; otherwise every public URL answers 404. They are
// computed from the in-memory aggregates once per data version and rules,
// and every view and download is served from that result.

// datiPubblici is one computation of the public figures, with the open
// data already encoded.
type datiPubblici struct {
	tab      pub.Tabella
	sintesi  pub.Sintesi
	haDati   bool
	anni     pub.Anni
	regole   pub.Regole
	alunniT  int // the territory's pupils (6–19) in the last week's school year
	csv      []byte
	json     []byte
	etag     string
	modified time.Time
	// versione and chiave identify the inputs (data version, rules, day).
	versione  int64
	chiave    string
	calcolato time.Time
	// The PDF bulletin, made on first request.
	pdfOnce sync.Once
	pdf     []byte
	pdfErr  error
}

type pubblicoCache struct {
	mu   sync.Mutex
	d    *datiPubblici
	memo pub.Memo // protected weeks, rebuilt only when their data change
}

// pubblicoDati returns the public figures, or a not-found error when the
// ATS does not publish them (every public URL is then a 404).
func (s *Server) pubblicoDati(r *http.Request) (*datiPubblici, store.Settings, error) {
	st, err := s.db.Settings(r.Context())
	if err != nil {
		return nil, st, err
	}
	if !st.Pubblico() {
		return nil, st, &ps.Error{Code: ps.ENotFound, Message: "err.notfound.page"}
	}
	arch, err := s.aggregati(r.Context())
	if err != nil {
		return nil, st, err
	}
	minP, minA := st.PubblicoSoglie()
	reg := pub.Regole{Livello: pub.Livello(st.PubblicoLivello), MinPlessi: minP, MinAlunni: minA}
	today := s.today()
	ver := arch.Versione()
	key := fmt.Sprintf("%s|%d|%d|%s|%s", reg.Livello, minP, minA, today.Format(ps.DateLayout), st.NomeATS) // the name is in the PDF
	fresh := func() (*datiPubblici, bool) {
		s.pubblico.mu.Lock()
		defer s.pubblico.mu.Unlock()
		d := s.pubblico.d
		return d, d != nil && d.chiave == key && (d.versione == ver || time.Since(d.calcolato) < s.maxAge())
	}
	if d, ok := fresh(); ok {
		return d, st, nil
	}
	v, err := s.flight.do("pubblico|"+key, func() (any, error) {
		if d, ok := fresh(); ok {
			return d, nil
		}
		// Complete ISO weeks only, and a week only from the Tuesday after
		// it, once Monday's reporting deadline has passed: on Mondays the
		// week before last is the latest.
		fino := serie.Lunedi(today.AddDate(0, 0, -1)).AddDate(0, 0, -1)
		// Each plesso day as it stood at its window's deadline: a late
		// report never moves a published figure (issue 21).
		var obs []serie.Osservazione
		if primo := arch.Primo(); !primo.IsZero() && !primo.After(fino) {
			var err error
			if obs, err = s.rilasciateTra(r.Context(), st, primo, fino); err != nil {
				return nil, err
			}
		}
		d := &datiPubblici{tab: pub.CostruisciMemo(obs, arch.Popolazione, reg, &s.pubblico.memo), regole: reg, versione: ver, chiave: key, calcolato: time.Now()}
		d.sintesi, d.haDati = d.tab.Sintesi()
		d.anni = d.tab.Anni()
		if d.haDati {
			for _, n := range arch.Popolazione(ps.AnnoDi(d.sintesi.Lunedi)) {
				d.alunniT += n
			}
		}
		d.csv, d.json = codificaPubblico(d.tab)
		sum := sha256.Sum256(d.csv)
		d.etag = `"` + hex.EncodeToString(sum[:12]) + `"`
		d.modified = s.now().UTC().Truncate(time.Second)
		s.pubblico.mu.Lock()
		if old := s.pubblico.d; old != nil && old.etag == d.etag {
			d.modified = old.modified // same content: same date
		}
		s.pubblico.d = d
		s.pubblico.mu.Unlock()
		return d, nil
	})
	if err != nil {
		return nil, st, err
	}
	return v.(*datiPubblici), st, nil
}

// colonnePubbliche are the open data's columns, in order.
var colonnePubbliche = []string{"settimana", "area", "grado", "plessi", "alunni", "assenti", "tasso", "ic_inf", "ic_sup"}

// rigaPubblica is one row of the JSON open data; nil is a suppressed value.
type rigaPubblica struct {
	Settimana string   `json:"settimana"`
	Area      string   `json:"area"`
	Grado     string   `json:"grado"`
	Plessi    *int     `json:"plessi"`
	Alunni    *int     `json:"alunni"`
	Assenti   *int     `json:"assenti"`
	Tasso     *float64 `json:"tasso"`
	IcInf     *float64 `json:"ic_inf"`
	IcSup     *float64 `json:"ic_sup"`
}

func codificaPubblico(t pub.Tabella) (csvB, jsonB []byte) {
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	cw.Write(colonnePubbliche)
	righe := make([]rigaPubblica, 0, len(t.Celle))
	quota := func(x float64) *float64 {
		if math.IsNaN(x) {
			return nil
		}
		v, _ := strconv.ParseFloat(pub.Quota(x), 64)
		return &v
	}
	for _, c := range t.Celle {
		row := rigaPubblica{Settimana: c.Settimana, Area: c.Area, Grado: c.Grado}
		rec := []string{c.Settimana, c.Area, c.Grado, "", "", "", "", "", ""}
		if !c.Soppressa {
			p, a, n := c.Plessi, c.Alunni, c.Assenti
			row.Plessi, row.Alunni, row.Assenti = &p, &a, &n
			row.Tasso, row.IcInf, row.IcSup = quota(c.Tasso), quota(c.IcInf), quota(c.IcSup)
			rec[3], rec[4], rec[5] = strconv.Itoa(p), strconv.Itoa(a), strconv.Itoa(n)
			rec[6], rec[7], rec[8] = pub.Quota(c.Tasso), pub.Quota(c.IcInf), pub.Quota(c.IcSup)
		}
		cw.Write(rec)
		righe = append(righe, row)
	}
	cw.Flush()
	jsonB, _ = json.MarshalIndent(righe, "", " ")
	return b.Bytes(), append(jsonB, '\n')
}

// servi sends a public file with its validators; http.ServeContent answers
// 304 to If-None-Match and If-Modified-Since.
func servi(w http.ResponseWriter, r *http.Request, name, ctype string, body []byte, etag string, mod time.Time) {
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("ETag", etag)
	// Short: when the ATS turns publication off, caches forget soon.
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("Access-Control-Allow-Origin", "*") // open data, readable from any page
	http.ServeContent(w, r, name, mod, bytes.NewReader(body))
}

// pubblicoFile serves one of the open-data files.
func (s *Server) pubblicoFile(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	d, st, err := s.pubblicoDati(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	switch name := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]; name {
	case "assenze-settimanali.csv":
		w.Header().Set("Content-Disposition", `attachment; filename="assenze-settimanali.csv"`)
		servi(w, r, name, "text/csv; charset=utf-8", d.csv, d.etag, d.modified)
	case "assenze-settimanali.json":
		servi(w, r, name, "application/json; charset=utf-8", d.json, d.etag, d.modified)
	case "catalogo.jsonld":
		b := catalogoDCAT(st, d)
		sum := sha256.Sum256(b)
		servi(w, r, name, "application/ld+json; charset=utf-8", b, `"`+hex.EncodeToString(sum[:12])+`"`, d.modified)
	case "anni.json":
		b, _ := json.Marshal(d.anni)
		servi(w, r, name, "application/json; charset=utf-8", b, d.etag, d.modified)
	default:
		s.fail(w, r, &ps.Error{Code: ps.ENotFound, Message: "err.notfound.page"})
	}
}

// catalogoDCAT is the DCAT-AP_IT description of the open data (JSON-LD).
func catalogoDCAT(st store.Settings, d *datiPubblici) []byte {
	base := strings.TrimRight(st.URLPortale, "/")
	mod := map[string]string{"@value": d.modified.Format(ps.DateLayout), "@type": "xsd:date"}
	publisher := map[string]any{"@type": []string{"foaf:Agent", "dcatapit:Agent"}, "foaf:name": st.NomeATS}
	licenza := map[string]any{"@id": "https://creativecommons.org/licenses/by/4.0/", "@type": []string{"dct:LicenseDocument", "dcatapit:LicenseDocument"},
		"dct:type": map[string]string{"@id": "http://purl.org/adms/licencetype/Attribution"}, "foaf:name": "CC BY 4.0"}
	dist := func(ext, media, format, title string) map[string]any {
		u := base + "/pubblico/dati/assenze-settimanali." + ext
		return map[string]any{
			"@id": u, "@type": []string{"dcat:Distribution", "dcatapit:Distribution"},
			"dct:title": title, "dcat:accessURL": map[string]string{"@id": base + "/pubblico/dati"}, "dcat:downloadURL": map[string]string{"@id": u},
			"dcat:mediaType": media, "dct:format": map[string]string{"@id": "http://publications.europa.eu/resource/authority/file-type/" + format},
			"dct:license": licenza, "dct:modified": mod,
		}
	}
	contatto := map[string]any{"@type": []string{"vcard:Organization", "dcatapit:Organization"}, "vcard:fn": st.NomeATS}
	if st.EmailAssistenza != "" {
		contatto["vcard:hasEmail"] = map[string]string{"@id": "mailto:" + st.EmailAssistenza}
	}
	dataset := map[string]any{
		"@id": base + "/pubblico/dati#assenze-settimanali", "@type": []string{"dcat:Dataset", "dcatapit:Dataset"},
		"dct:identifier":  "portalescuole:assenze-settimanali",
		"dct:title":       "Assenze scolastiche settimanali – " + st.NomeATS,
		"dct:description": "Assenze degli alunni (6–19 anni) dei plessi sentinella per settimana ISO, territorio e provincia, tutti i gradi e per grado: plessi, alunni, giorni-alunno di assenza, tasso di assenza con intervallo di confidenza al 95%. I valori che potrebbero identificare piccoli gruppi sono soppressi (celle vuote).",
		"dct:publisher":   publisher, "dct:rightsHolder": publisher,
		"dct:modified":           mod,
		"dct:language":           map[string]string{"@id": "http://publications.europa.eu/resource/authority/language/ITA"},
		"dcat:theme":             map[string]string{"@id": "http://publications.europa.eu/resource/authority/data-theme/HEAL"},
		"dct:accrualPeriodicity": map[string]string{"@id": "http://publications.europa.eu/resource/authority/frequency/WEEKLY"},
		"dcat:keyword":           []string{"assenze scolastiche", "scuola", "sorveglianza", "salute"},
		"dcat:landingPage":       map[string]string{"@id": base + "/pubblico/dati"},
		"dcat:contactPoint":      contatto,
		"dct:conformsTo":         map[string]string{"@id": base + "/pubblico/dati#schema"},
		"dcat:distribution": []any{
			dist("csv", "text/csv", "CSV", "Assenze settimanali (CSV)"),
			dist("json", "application/json", "JSON", "Assenze settimanali (JSON)"),
		},
	}
	if ws := d.tab.Settimane(); len(ws) > 0 {
		dataset["dct:temporal"] = map[string]any{"@type": "dct:PeriodOfTime",
			"dcat:startDate": map[string]string{"@value": ws[0].Format(ps.DateLayout), "@type": "xsd:date"},
			"dcat:endDate":   map[string]string{"@value": ws[len(ws)-1].AddDate(0, 0, 6).Format(ps.DateLayout), "@type": "xsd:date"}}
	}
	cat := map[string]any{
		"@context": map[string]string{
			"dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/", "foaf": "http://xmlns.com/foaf/0.1/",
			"dcatapit": "http://dati.gov.it/onto/dcatapit#", "vcard": "http://www.w3.org/2006/vcard/ns#", "xsd": "http://www.w3.org/2001/XMLSchema#",
		},
		"@id": base + "/pubblico/dati/catalogo.jsonld", "@type": []string{"dcat:Catalog", "dcatapit:Catalog"},
		"dct:title":       "Dati aperti del Portale Scuole – " + st.NomeATS,
		"dct:description": "Catalogo dei dati aperti sulle assenze scolastiche pubblicati da " + st.NomeATS + ".",
		"dct:publisher":   publisher,
		"dct:modified":    mod,
		"dct:language":    map[string]string{"@id": "http://publications.europa.eu/resource/authority/language/ITA"},
		"foaf:homepage":   map[string]string{"@id": base + "/pubblico"},
		"dcat:dataset":    []any{dataset},
	}
	b, _ := json.MarshalIndent(cat, "", " ")
	return append(b, '\n')
}

// paginaPubblica is what the public page, schema page and bulletin show.
type paginaPubblica struct {
	S         pub.Sintesi
	Anni      pub.Anni
	HaDati    bool
	Venerdi   time.Time // last school day of the week
	Ultimo    time.Time // last day with data
	Frase     string
	Copertura float64 // share of the territory's pupils in reporting plessi
	Aree      []rigaPagina
	GradiT    []rigaPagina
	Colonne   []string
	Metodo    string
	MinPlessi int
	MinAlunni int
}

// rigaPagina is a cell of the page's tables with its name.
type rigaPagina struct {
	pub.Cella
	Nome string
}

func (s *Server) paginaPubblica(r *http.Request, c *reqCtx) (*paginaPubblica, error) {
	d, _, err := s.pubblicoDati(r)
	if err != nil {
		return nil, err
	}
	p := &paginaPubblica{S: d.sintesi, Anni: d.anni, HaDati: d.haDati, Ultimo: d.tab.Ultimo, Colonne: colonnePubbliche,
		Metodo: pub.Metodo, MinPlessi: d.regole.MinPlessi, MinAlunni: d.regole.MinAlunni}
	if d.haDati {
		p.Venerdi = d.sintesi.Lunedi.AddDate(0, 0, 4)
		p.Frase = frasePubblica(c.lang, d.sintesi)
		p.Aree = append(p.Aree, rigaPagina{d.sintesi.Territorio, tr(c.lang, "pubblico.territorio")})
		for _, x := range d.sintesi.Province {
			p.Aree = append(p.Aree, rigaPagina{x, tr(c.lang, "pubblico.provincia", x.Area)})
		}
		for _, x := range d.sintesi.Gradi {
			p.GradiT = append(p.GradiT, rigaPagina{x, tr(c.lang, "grado."+x.Grado)})
		}
		if d.alunniT > 0 && !d.sintesi.Territorio.Soppressa {
			p.Copertura = math.Min(1, float64(d.sintesi.Territorio.Alunni)/float64(d.alunniT))
		}
	}
	return p, nil
}

// frasePubblica is the plain-language summary of the week.
func frasePubblica(lang string, s pub.Sintesi) string {
	t := s.Territorio
	dal, al := s.Lunedi.Format("02/01/2006"), s.Lunedi.AddDate(0, 0, 4).Format("02/01/2006")
	if t.Soppressa || math.IsNaN(t.Tasso) {
		return tr(lang, "pubblico.frase.soppressa", dal, al)
	}
	out := tr(lang, "pubblico.frase", dal, al, pctIT(lang, t.Tasso), pctIT(lang, t.IcInf), pctIT(lang, t.IcSup))
	if s.Andamento != "" {
		out += " " + tr(lang, "pubblico.andamento."+s.Andamento, pctIT(lang, s.Precedente))
	}
	if s.Confronto != "" {
		out += " " + tr(lang, "pubblico.confronto."+s.Confronto, pctIT(lang, s.Atteso), s.Anni)
	} else {
		out += " " + tr(lang, "pubblico.confronto.nessuno")
	}
	return out
}

func pctIT(lang string, x float64) string {
	v := strconv.FormatFloat(100*x, 'f', 1, 64)
	if lang != langEN {
		v = strings.Replace(v, ".", ",", 1)
	}
	return v + "%"
}

func (s *Server) pubblicoPage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	s.pubblicoHTML(w, r, c, "pubblico", "pubblico.title")
}

func (s *Server) pubblicoSchema(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	s.pubblicoHTML(w, r, c, "pubblico_dati", "pubblico.dati.title")
}

func (s *Server) pubblicoBollettino(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	s.pubblicoHTML(w, r, c, "pubblico_bollettino", "pubblico.bollettino.title")
}

func (s *Server) pubblicoHTML(w http.ResponseWriter, r *http.Request, c *reqCtx, tmpl, title string) {
	p, err := s.paginaPubblica(r, c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, tmpl, s.newPage(r, c, title, p))
}

// pubblicoPDF is the public bulletin as a PDF, from the same figures.
func (s *Server) pubblicoPDF(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	d, st, err := s.pubblicoDati(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.pdfOnce.Do(func() {
		b := pub.Bollettino{NomeATS: st.NomeATS, Sintesi: d.sintesi, HaDati: d.haDati, Ultimo: d.tab.Ultimo, Generato: d.modified}
		if d.haDati {
			b.Testo = frasePubblica(langIT, d.sintesi)
		}
		d.pdf, d.pdfErr = pub.PDF(b)
	})
	if d.pdfErr != nil {
		s.fail(w, r, d.pdfErr)
		return
	}
	sum := sha256.Sum256(d.pdf)
	w.Header().Set("Content-Disposition", `inline; filename="bollettino-pubblico.pdf"`)
	servi(w, r, "bollettino-pubblico.pdf", "application/pdf", d.pdf, `"`+hex.EncodeToString(sum[:12])+`"`, d.modified)
}
