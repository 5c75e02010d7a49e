package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/aggregati"
	"github.com/portalescuole/portalescuole/allerta"
	"github.com/portalescuole/portalescuole/bollettino"
	"github.com/portalescuole/portalescuole/calendario"
	"github.com/portalescuole/portalescuole/sentinella"
	"github.com/portalescuole/portalescuole/serie"
	"github.com/portalescuole/portalescuole/store"
)

// monitorate returns the observations of a school year up to today and
// its watched series, from the in-memory aggregates (refreshed at most
// once a second).
func (s *Server) monitorate(r *http.Request, anno ps.AnnoScolastico) ([]serie.Osservazione, []allerta.Monitorata, error) {
	return s.monitorateDal(r, anno, anno.Inizio())
}

// monitorateDal is monitorate with the observations from dal only: a
// national year's plesso days take a good part of a second to gather,
// and the dashboard reads its last weeks.
func (s *Server) monitorateDal(r *http.Request, anno ps.AnnoScolastico, dal time.Time) ([]serie.Osservazione, []allerta.Monitorata, error) {
	if dal.Before(anno.Inizio()) {
		dal = anno.Inizio()
	}
	today := s.today()
	to := (anno + 1).Inizio().AddDate(0, 0, -1)
	if to.After(today) {
		to = today
	}
	arch, err := s.aggregati(r.Context())
	if err != nil {
		return nil, nil, err
	}
	ver := arch.Versione()
	key := fmt.Sprintf("%d|%s|%s", anno, dal.Format(ps.DateLayout), to.Format(ps.DateLayout))
	fresh := func() (cachedSerie, bool) {
		c, ok := s.serieCache.get(key)
		return c, ok && (c.versione == ver || time.Since(c.calcolato) < s.maxAge())
	}
	if c, ok := fresh(); ok {
		return c.obs, c.series, nil
	}
	v, err := s.flight.do("serie|"+key, func() (any, error) {
		if c, ok := fresh(); ok {
			return c, nil
		}
		c := cachedSerie{obs: arch.Osservazioni(dal, to), versione: ver, calcolato: time.Now()}
		for _, nome := range arch.Nomi() {
			if p := serie.Feriali(arch.Punti(nome, anno.Inizio(), to)); len(p) > 0 {
				c.series = append(c.series, allerta.Monitorata{Nome: nome, Punti: p})
			}
		}
		s.serieCache.put(key, c)
		return c, nil
	})
	if err != nil {
		return nil, nil, err
	}
	c := v.(cachedSerie)
	return c.obs, c.series, nil
}

// aggregati returns the in-memory aggregates, first applying what arrived
// since the last refresh unless that was less than a second ago.
func (s *Server) aggregati(ctx context.Context) (*aggregati.Archivio, error) {
	return s.aggiornaAggregati(ctx, false)
}

// aggiornaAggregati is aggregati, refreshing them whatever the time since
// the last refresh when subito: a dashboard computed for a database
// version must rest on aggregates read after that version.
func (s *Server) aggiornaAggregati(ctx context.Context, subito bool) (*aggregati.Archivio, error) {
	arch := s.motore.Archivio()
	if last := s.aggiornato.Load(); !subito && time.Since(time.Unix(0, last)) < time.Second {
		return arch, nil
	}
	if _, err := arch.Aggiorna(ctx); err != nil {
		return nil, err
	}
	s.aggiornato.Store(time.Now().UnixNano())
	return arch, nil
}

// flight runs one computation per key at a time; callers that arrive
// meanwhile wait for its result.
type flight struct {
	mu sync.Mutex
	m  map[string]*flightCall
}

type flightCall struct {
	done chan struct{}
	v    any
	err  error
}

func (f *flight) do(key string, fn func() (any, error)) (any, error) {
	f.mu.Lock()
	if f.m == nil {
		f.m = map[string]*flightCall{}
	}
	if c, ok := f.m[key]; ok {
		f.mu.Unlock()
		<-c.done
		return c.v, c.err
	}
	c := &flightCall{done: make(chan struct{})}
	f.m[key] = c
	f.mu.Unlock()
	c.v, c.err = fn()
	f.mu.Lock()
	delete(f.m, key)
	f.mu.Unlock()
	close(c.done)
	return c.v, c.err
}

// serieMaxAge is how stale the dashboard may be while data keep arriving:
// during the morning rush every submission changes the version, and
// recomputing national series on each view would starve the submissions.
const serieMaxAge = time.Minute

// maxAge is Config.Freschezza, serieMaxAge by default.
func (s *Server) maxAge() time.Duration {
	switch f := s.cfg.Freschezza; {
	case f < 0:
		return 0
	case f == 0:
		return serieMaxAge
	default:
		return f
	}
}

// cachedSerie are the observations and watched series of a school year at
// one data version: the dashboard's charts all read them. They are reused
// while the version is unchanged, or for serieMaxAge when it changed.
type cachedSerie struct {
	obs       []serie.Osservazione
	series    []allerta.Monitorata
	versione  int64
	calcolato time.Time
}

type serieCache struct {
	mu sync.Mutex
	m  map[string]cachedSerie
}

func (c *serieCache) get(k string) (cachedSerie, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[k]
	return v, ok
}

func (c *serieCache) put(k string, v cachedSerie) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) > 8 {
		c.m = map[string]cachedSerie{} // old versions are never asked again
	}
	c.m[k] = v
}

func (s *Server) today() time.Time {
	n := s.now().In(rome)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

type rigaSentinella struct {
	Plesso        ps.Plesso
	Ultimo        time.Time
	Tasso         float64
	Trend         float64 // last 5 reported days minus the 5 before, in rate points
	HaTrend       bool
	StatoFinestra string
}

type cruscottoData struct {
	Serie   string
	Nomi    []string
	Piccole []string
	// PiccoleTotale and SentinelleTotale count what exists when the page
	// shows only the first (a national network has hundreds of series and
	// thousands of sentinels).
	PiccoleTotale    int
	SentinelleTotale int
	Ultimi           []rigaTraccia
	Stima            *serie.Stima
	StimaIscritti    int // pupils of the plessi the estimate rests on
	// Insufficiente is set when the latest reported day does not yet rest
	// on enough of the network: the page says so instead of a number.
	Insufficiente *insufficiente
	Etichette     map[string]string // series key → name in words
	etichetteEN   map[string]string
	Sentinelle    []rigaSentinella
	// Allerte are the open episodes of the aggregates, territory first
	// (ps.LivelliSerie), at most maxAllerte; AllerteAggregate counts them
	// all and PlessiAperte the open ones of single plessi.
	Allerte          []rigaAllerta
	AllerteAggregate int
	PlessiAperte     int
	// Conteggi are every episode by level and state, as /ats/allerte
	// counts them.
	Conteggi []rigaConteggio
	// Paragrafo is the week in words by language; InCorso the current
	// week's first sentence when the paragraph is about the one before.
	Paragrafo, InCorso map[string]string
	// AllertaTerritorio is the territory's episode the paragraph names.
	AllertaTerritorio int64
	Emergenze         []bannerEmergenza
	// UnPlesso marks the series resting on a single plesso: every day
	// provisional, never evaluated; the page says so under its chart.
	UnPlesso map[string]bool
	// MotiviNascoste counts the illness series not charted: fewer than
	// MotiviMinPlessi plessi give reasons on their median day.
	MotiviNascoste, MotiviMinPlessi int
	Stati                           []string // the alert states, in the counts' columns
	Settimane                       settimane
	Mappa                           map[string]template.HTML // by language
	MappaTabella                    []comuneRate
	Anno                            ps.AnnoScolastico
}

// rigaConteggio is one level's episodes by state.
type rigaConteggio struct {
	Livello                                    string
	Nuove, Valutazione, Confermate, Archiviate int
}

// Totale is the level's episodes in every state.
func (r rigaConteggio) Totale() int { return r.Nuove + r.Valutazione + r.Confermate + r.Archiviate }

// bannerEmergenza is an emergency period open today, as the dashboard
// announces it.
type bannerEmergenza struct {
	Ambito  string // series key
	Dal     time.Time
	Fuori   float64 // share of the week's pupils outside the sentinel network
	Gemella string  // the territory's sentinel-only series, comparable with earlier years
}

type rigaTraccia struct {
	Giorno                time.Time
	Tasso, Atteso, Soglia float64
	Evidenza, SogliaEv    float64
	Allarme               bool
	Plessi                int
	Provvisorio           bool
	Quota                 float64
}

type insufficiente struct {
	Giorno           time.Time
	Plessi, Iscritti int
	Quota            float64
	Minimo           int
	QuotaRichiesta   float64
}

// cruscottoPage serves the dashboard. Its data are the same for every ATS
// user, computed once per key at a time and kept: when only absences
// changed, the page last computed is served at once (at most a minute old)
// while a fresh one is computed in the background, so that no operator
// waits for a national computation; when an alert changed, the page is
// recomputed before answering (never a stale alert).
func (s *Server) cruscottoPage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	ver, err := s.db.Versione(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	key := r.URL.Query().Get("serie") + "|" + s.today().Format(ps.DateLayout)
	d, stato := s.paginaCache.get(key, ver, s.maxAge())
	switch stato {
	case paginaVecchia:
		bg := r.Clone(context.WithoutCancel(r.Context()))
		s.inBackground(func(ctx context.Context) { s.calcolaPagina(bg.WithContext(ctx), key, ver) })
	case paginaAssente:
		v, err := s.calcolaPagina(r, key, ver)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d = v
	}
	s.renderCruscotto(w, r, key, d, s.newPage(r, c, "cruscotto.title", *d))
}

// htmlCruscotto keeps the last rendered dashboards. Rendering one (the
// series menu, the municipalities' table, the map) costs milliseconds of
// CPU; in an emergency morning the ATS views it while tens of thousands
// of plessi submit, and the same computed data (paginaCache) renders the
// same page for the same user, language, address and settings. A flash
// message is never cached.
type htmlCruscotto struct {
	mu sync.Mutex
	m  map[string]htmlCached
}

type htmlCached struct {
	d    *cruscottoData
	body []byte
}

func (s *Server) renderCruscotto(w http.ResponseWriter, r *http.Request, key string, d *cruscottoData, p *page) {
	t, found := s.pages.m[p.L+"/cruscotto"] // the lookup render makes
	if p.Flash != "" || p.User == nil || !found {
		s.render(w, r, http.StatusOK, "cruscotto", p)
		return
	}
	ck := fmt.Sprintf("%s|%s|%s|%s|%s|%+v", key, p.L, p.Path, p.User.Username, p.User.Role, p.Settings)
	c := &s.htmlCruscotto
	c.mu.Lock()
	h, ok := c.m[ck]
	c.mu.Unlock()
	if !ok || h.d != d {
		var buf bytes.Buffer
		if err := t.Execute(&buf, p); err != nil {
			s.log.Error("render", "template", "cruscotto", "err", err)
			http.Error(w, "errore interno", http.StatusInternalServerError)
			return
		}
		h = htmlCached{d, buf.Bytes()}
		c.mu.Lock()
		if c.m == nil || len(c.m) >= 64 {
			c.m = map[string]htmlCached{}
		}
		c.m[ck] = h
		c.mu.Unlock()
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(h.body)
}

// Prepara computes today's dashboard (the territory, the page every ATS
// user opens first) into the cache, so that its first view is served at
// once; the server calls it once the aggregates are loaded and after each
// round of periodic jobs (new alerts recompute the page).
func (s *Server) Prepara(ctx context.Context) {
	t := time.Now()
	ver, err := s.db.Versione(ctx)
	if err != nil {
		s.log.Warn("cruscotto: preparazione", "err", err)
		return
	}
	r, err := http.NewRequestWithContext(ctx, http.MethodGet, "/ats/cruscotto", nil)
	if err != nil {
		return
	}
	key := "|" + s.today().Format(ps.DateLayout)
	if _, stato := s.paginaCache.get(key, ver, 0); stato == paginaFresca {
		return
	}
	if _, err := s.calcolaPagina(r, key, ver); err != nil {
		s.log.Warn("cruscotto: preparazione", "err", err)
		return
	}
	s.log.Info("cruscotto preparato", "durata", time.Since(t))
}

// calcolaPagina computes a dashboard and caches it; callers arriving
// meanwhile wait for the same computation.
func (s *Server) calcolaPagina(r *http.Request, key, ver string) (*cruscottoData, error) {
	v, err := s.flight.do("pagina|"+key, func() (any, error) {
		if d, stato := s.paginaCache.get(key, ver, s.maxAge()); stato == paginaFresca {
			return d, nil
		}
		// The page is stored as of ver: the aggregates must be at least
		// that recent, or a change within a second of the last refresh
		// would stay off the page until the next one.
		if _, err := s.aggiornaAggregati(r.Context(), true); err != nil {
			return nil, err
		}
		d, err := s.cruscottoDati(r, ver)
		if err == nil {
			s.paginaCache.put(key, ver, d)
		} else {
			s.log.Error("cruscotto", "err", err)
		}
		return d, err
	})
	if err != nil {
		return nil, err
	}
	return v.(*cruscottoData), nil
}

// paginaCache keeps computed dashboards by series and day.
type paginaCache struct {
	mu sync.Mutex
	m  map[string]paginaCached
}

type paginaCached struct {
	d         *cruscottoData
	versione  string
	calcolato time.Time
}

type statoPagina int

const (
	paginaAssente statoPagina = iota // none, or its alerts are out of date
	paginaVecchia                    // data changed since: serve it, recompute
	paginaFresca
)

func (c *paginaCache) get(k, ver string, maxAge time.Duration) (*cruscottoData, statoPagina) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[k]
	switch {
	case !ok || alerts(v.versione) != alerts(ver):
		return nil, paginaAssente
	case v.versione == ver || time.Since(v.calcolato) < maxAge:
		return v.d, paginaFresca
	}
	return v.d, paginaVecchia
}

// alerts is the alert part of a store.Versione.
func alerts(ver string) string {
	_, a, _ := strings.Cut(ver, "|")
	return a
}

func (c *paginaCache) put(k, ver string, d *cruscottoData) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) > 64 {
		c.m = map[string]paginaCached{}
	}
	c.m[k] = paginaCached{d: d, versione: ver, calcolato: time.Now()}
}

func (s *Server) cruscottoDati(r *http.Request, ver string) (*cruscottoData, error) {
	anno := s.annoMostrato()
	// Another series than the territory changes the chart and its table
	// only: the rest is the default page's, computed once.
	if nome := r.URL.Query().Get("serie"); nome != "" && nome != aggregati.Territorio {
		rb := r.Clone(r.Context())
		rb.URL = &url.URL{Path: r.URL.Path}
		base, err := s.calcolaPagina(rb, "|"+s.today().Format(ps.DateLayout), ver)
		if err != nil {
			return nil, err
		}
		d := *base
		d.Serie, d.Ultimi = nome, nil
		if slices.Contains(d.Nomi, nome) || strings.HasPrefix(nome, aggregati.PrefissoSentinella) {
			tr, err := s.motore.Traccia(r.Context(), nome, anno.Inizio(), s.today())
			if err != nil {
				return nil, err
			}
			d.Ultimi = ultimiGiorni(tr)
		}
		return &d, nil
	}
	// The series first; the plesso days later, for the weeks the page reads.
	_, series, err := s.monitorateDal(r, anno, s.today())
	if err != nil {
		return nil, err
	}
	d := cruscottoData{Serie: r.URL.Query().Get("serie"), Anno: anno, Stati: ps.StatiSegnale}
	if d.Serie == "" {
		d.Serie = "territorio"
	}
	nomi := s.motore.Nominatore(r.Context())
	st, err := s.db.Settings(r.Context())
	if err != nil {
		return nil, err
	}
	series, d.MotiviNascoste = conMotiviSufficienti(series, st.MinPlessiMotivi())
	d.MotiviMinPlessi = st.MinPlessiMotivi()
	d.Etichette, d.etichetteEN = map[string]string{}, map[string]string{}
	for _, m := range series {
		d.Nomi = append(d.Nomi, m.Nome)
		d.Etichette[m.Nome] = nomi.Nome(m.Nome)
		d.etichetteEN[m.Nome] = nomeSerie(langEN, nomi, m.Nome)
	}
	d.Piccole, d.PiccoleTotale = piccole(series)
	d.UnPlesso = map[string]bool{}
	for _, m := range series {
		most := 0
		for _, p := range m.Punti {
			most = max(most, p.Plessi)
		}
		// Never two plessi on a day: no day of it can enter detection
		// (soglie.completo asks two at least); its plesso has its own.
		d.UnPlesso[m.Nome] = most < 2
	}
	// The territory's trace serves the headline, the paragraph and the
	// weekly chart; evaluated once.
	terr, err := s.motore.Traccia(r.Context(), aggregati.Territorio, anno.Inizio(), s.today())
	if err != nil {
		return nil, err
	}
	if _, ok := allerta.Trova(series, d.Serie); ok || strings.HasPrefix(d.Serie, aggregati.PrefissoSentinella) {
		tr := terr
		if d.Serie != aggregati.Territorio {
			if tr, err = s.motore.Traccia(r.Context(), d.Serie, anno.Inizio(), s.today()); err != nil {
				return nil, err
			}
		}
		d.Ultimi = ultimiGiorni(tr)
	}
	stimaDay, obs, err := s.stimaCruscotto(r, &d, anno, terr, st)
	if err != nil {
		return nil, err
	}
	d.Sentinelle, err = s.righeSentinelle(r, anno, obs)
	if err != nil {
		return nil, err
	}
	if d.SentinelleTotale = len(d.Sentinelle); d.SentinelleTotale > maxSentinelle {
		d.Sentinelle = d.Sentinelle[:maxSentinelle] // the highest rates first
	}
	if err := s.allerteCruscotto(r, &d, nomi); err != nil {
		return nil, err
	}
	if err := s.situazioneCruscotto(r, &d, nomi, anno, terr, stimaDay, obs); err != nil {
		return nil, err
	}
	gemelle(&d, nomi)
	d.Mappa, d.MappaTabella = mappaComuniDati(obs)
	if d.Settimane, err = s.settimaneDati(r, &terr); err != nil {
		return nil, err
	}
	return &d, nil
}

// stimaCruscotto finds the latest territory day complete enough for
// detection (a later one not yet complete is named as insufficient),
// reads the plesso days the page needs and estimates that day for the
// territory. It returns the day and the plesso days.
func (s *Server) stimaCruscotto(r *http.Request, d *cruscottoData, anno ps.AnnoScolastico, terr allerta.Traccia, st store.Settings) (time.Time, []serie.Osservazione, error) {
	stimaDay := time.Time{}
	for i := len(terr.Giorni) - 1; i >= 0; i-- {
		if !terr.Provvisorio[i] {
			stimaDay = terr.Giorni[i]
			break
		}
		if d.Insufficiente == nil {
			q, m := st.Completezza()
			d.Insufficiente = &insufficiente{Giorno: terr.Giorni[i], Plessi: terr.Plessi[i], Iscritti: terr.Iscritti[i], Quota: terr.Quota[i], Minimo: m, QuotaRichiesta: q}
		}
	}
	// The plesso days the page reads: the sentinels' last ten days, the
	// map's five, the paragraph's week and the one before; six weeks back,
	// or from two weeks before the last complete day when that is older
	// (after a long break).
	dal := s.today().AddDate(0, 0, -42)
	if !stimaDay.IsZero() && stimaDay.AddDate(0, 0, -21).Before(dal) {
		dal = serie.Lunedi(stimaDay).AddDate(0, 0, -14)
	}
	obs, _, err := s.monitorateDal(r, anno, dal)
	if err != nil || stimaDay.IsZero() {
		return stimaDay, obs, err
	}
	var lastObs []serie.Osservazione
	for _, o := range obs {
		if o.Giorno.Equal(stimaDay) {
			lastObs = append(lastObs, o)
		}
	}
	if est := serie.PostStratificata(lastObs, s.motore.Archivio().Popolazione(anno), nil); len(est) == 1 {
		d.Stima = &est[0]
		for _, o := range lastObs {
			d.StimaIscritti += o.Iscritti
		}
	}
	return stimaDay, obs, nil
}

// gemelle offers, in emergency mode, the sentinel-only twin of the
// territory and of each scope beside them: the aggregates then count every
// reporting plesso, and the twins stay comparable with the years before.
func gemelle(d *cruscottoData, nomi allerta.Nominatore) {
	for _, e := range d.Emergenze {
		for _, base := range []string{aggregati.Territorio, e.Ambito} {
			twin := aggregati.PrefissoSentinella + base
			if i := slices.Index(d.Nomi, base); i >= 0 && !slices.Contains(d.Nomi, twin) {
				d.Nomi = slices.Insert(d.Nomi, i+1, twin)
				d.Etichette[twin] = nomi.Nome(twin)
				d.etichetteEN[twin] = nomeSerie(langEN, nomi, twin)
			}
		}
	}
}

// allerteCruscotto fills the alert summary: every episode counted by level
// and state (the same counts as the list's filters), and the open ones of
// the aggregates in the hierarchy's order.
func (s *Server) allerteCruscotto(r *http.Request, d *cruscottoData, nomi allerta.Nominatore) error {
	conteggi, err := s.db.CountSegnaliPerLivello(r.Context())
	if err != nil {
		return err
	}
	for _, l := range ps.LivelliSerie {
		c := conteggi[l]
		d.Conteggi = append(d.Conteggi, rigaConteggio{Livello: l, Nuove: c[ps.StatoNuovo], Valutazione: c[ps.StatoValutazione],
			Confermate: c[ps.StatoConfermato], Archiviate: c[ps.StatoArchiviato]})
		if l == ps.LivelloPlesso {
			d.PlessiAperte = c[ps.StatoNuovo] + c[ps.StatoValutazione]
		} else {
			d.AllerteAggregate += c[ps.StatoNuovo] + c[ps.StatoValutazione]
		}
	}
	for _, l := range ps.LivelliSerie[:len(ps.LivelliSerie)-1] {
		if len(d.Allerte) >= maxAllerte {
			break
		}
		aperte, err := s.db.Segnali(r.Context(), store.SegnaleFilter{Livello: l, Aperti: true, Limit: maxAllerte - len(d.Allerte)})
		if err != nil {
			return err
		}
		for _, g := range aperte {
			d.Allerte = append(d.Allerte, s.riga(nomi, g))
		}
	}
	return nil
}

// situazioneCruscotto writes the week in one paragraph: the latest week
// with a day complete enough for detection, and the current week's state
// when it is a later one.
func (s *Server) situazioneCruscotto(r *http.Request, d *cruscottoData, nomi allerta.Nominatore, anno ps.AnnoScolastico, terr allerta.Traccia, ultimo time.Time, obs []serie.Osservazione) error {
	ctx := r.Context()
	oggi := s.today()
	lun := serie.Lunedi(oggi)
	if !ultimo.IsZero() {
		lun = serie.Lunedi(ultimo)
	}
	sig, err := s.db.Segnali(ctx, store.SegnaleFilter{Tipo: "aggregati", Dal: lun, Al: lun.AddDate(0, 0, 6), Limit: 5000})
	if err != nil {
		return err
	}
	em, err := s.db.Emergenze(ctx)
	if err != nil {
		return err
	}
	codes, err := s.db.Sentinelle(ctx, anno)
	if err != nil {
		return err
	}
	sent := make(map[string]bool, len(codes))
	for _, c := range codes {
		sent[c] = true
	}
	d.Paragrafo, d.InCorso = map[string]string{}, map[string]string{}
	for _, lang := range []string{langIT, langEN} {
		f := allerta.FontiSituazione{Lunedi: lun, Territorio: terr, Osservazioni: obs, Sentinelle: sent, Segnali: sig, Emergenze: em,
			Nome: func(k string) string { return nomeSerie(lang, nomi, k) }}
		sit := allerta.Situazione(f)
		d.Paragrafo[lang] = linguaBollettino(lang).Paragrafo(sit)
		if sit.Territorio != nil {
			d.AllertaTerritorio = sit.Territorio.ID
		}
		if cur := serie.Lunedi(oggi); cur.After(lun) {
			f.Lunedi = cur
			d.InCorso[lang] = linguaBollettino(lang).Apertura(allerta.Situazione(f))
		}
		if lang == langIT {
			for _, e := range em {
				if !e.Aperta() || !e.Copre(oggi) {
					continue
				}
				b := bannerEmergenza{Ambito: e.Ambito, Dal: e.Dal, Gemella: aggregati.PrefissoSentinella + aggregati.Territorio}
				if sit.Emergenza != nil {
					b.Fuori = sit.Emergenza.Fuori
				}
				d.Emergenze = append(d.Emergenze, b)
			}
		}
	}
	return nil
}

func linguaBollettino(lang string) bollettino.Lingua {
	if lang == langEN {
		return bollettino.Inglese
	}
	return bollettino.Italiano
}

// conMotiviSufficienti leaves out the illness series whose median reported
// day rests on fewer than min plessi giving reasons: one or two schools'
// line is not a series to read. It returns what is kept and how many left.
func conMotiviSufficienti(series []allerta.Monitorata, min int) ([]allerta.Monitorata, int) {
	out := make([]allerta.Monitorata, 0, len(series))
	left := 0
	for _, m := range series {
		if _, motivo := aggregati.Base(m.Nome); motivo != "" {
			n := make([]int, 0, len(m.Punti))
			for _, p := range m.Punti {
				if p.Plessi > 0 {
					n = append(n, p.Plessi)
				}
			}
			slices.Sort(n)
			if len(n) == 0 || n[len(n)/2] < min {
				left++
				continue
			}
		}
		out = append(out, m)
	}
	return out, left
}

// ultimiGiorni are a trace's last ten days, the latest first.
func ultimiGiorni(tr allerta.Traccia) []rigaTraccia {
	var out []rigaTraccia
	for i := len(tr.Giorni) - 1; i >= 0 && len(out) < 10; i-- {
		out = append(out, rigaTraccia{tr.Giorni[i], tr.Tasso[i], tr.Atteso[i], tr.Soglia[i], tr.Evidenza[i], tr.SogliaEv[i], tr.Allarme[i], tr.Plessi[i], tr.Provvisorio[i], tr.Quota[i]})
	}
	return out
}

// Limits of the dashboard page: beyond them it shows the highest.
const (
	maxAllerte    = 8
	maxPiccole    = 24
	maxSentinelle = 100
)

// piccole chooses the small multiples: every series but the territory, or,
// when there are more than maxPiccole (a national network), those with the
// highest rate over their last five reported days; the menu keeps them all.
func piccole(series []allerta.Monitorata) ([]string, int) {
	type cand struct {
		nome string
		rate float64
	}
	var c []cand
	for _, m := range series {
		if m.Nome == "territorio" {
			continue
		}
		n := len(m.Punti)
		var a, i int
		for _, p := range m.Punti[max(0, n-5):] {
			a += p.Assenti
			i += p.Iscritti
		}
		r := 0.0
		if i > 0 {
			r = float64(a) / float64(i)
		}
		c = append(c, cand{m.Nome, r})
	}
	total := len(c)
	if total > maxPiccole {
		sort.SliceStable(c, func(i, j int) bool { return c[i].rate > c[j].rate })
		c = c[:maxPiccole]
	}
	out := make([]string, len(c))
	for i, x := range c {
		out[i] = x.nome
	}
	return out, total
}

func (s *Server) righeSentinelle(r *http.Request, anno ps.AnnoScolastico, obs []serie.Osservazione) ([]rigaSentinella, error) {
	codes, err := s.db.Sentinelle(r.Context(), anno)
	if err != nil {
		return nil, err
	}
	by := map[string][]serie.Osservazione{}
	for _, o := range obs {
		by[o.Plesso] = append(by[o.Plesso], o)
	}
	st, err := s.db.Settings(r.Context())
	if err != nil {
		return nil, err
	}
	comp, err := sentinellaLast(s, r, st)
	if err != nil {
		return nil, err
	}
	// The table shows code and name only: the aggregates have both,
	// without reading the national register.
	arch := s.motore.Archivio()
	var out []rigaSentinella
	for _, code := range codes {
		row := rigaSentinella{Plesso: ps.Plesso{Codice: code, Nome: arch.Nome(code)}, StatoFinestra: comp[code]}
		os := by[code]
		if n := len(os); n > 0 {
			row.Ultimo = os[n-1].Giorno
			row.Tasso = float64(os[n-1].Assenti) / float64(os[n-1].Iscritti)
			if n >= 10 {
				row.Trend = meanRate(os[n-5:]) - meanRate(os[n-10:n-5])
				row.HaTrend = true
			}
		}
		out = append(out, row)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Tasso > out[j].Tasso })
	return out, nil
}

func meanRate(os []serie.Osservazione) float64 {
	a, n := 0, 0
	for _, o := range os {
		a += o.Assenti
		n += o.Iscritti
	}
	if n == 0 {
		return 0
	}
	return float64(a) / float64(n)
}

// tracciaJSON is a series for the charts, in percent, nulls where the
// method cannot evaluate.
type tracciaJSON struct {
	Nome    string     `json:"nome"`
	Giorni  []int64    `json:"giorni"`
	Tasso   []*float64 `json:"tasso"`
	Atteso  []*float64 `json:"atteso"`
	Soglia  []*float64 `json:"soglia"`
	Allarme []*float64 `json:"allarme"`
	// Provvisorio: the share of the network's sentinel pupils behind a day
	// not yet complete enough for detection (percent), null otherwise.
	Provvisorio []*float64 `json:"provvisorio"`
}

func pctPtr(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	v := math.Round(x*100000) / 1000
	return &v
}

func (s *Server) serieJSON(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	out, _, err := s.traccia(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// traccia is the chart of the series named by the "serie" parameter, empty
// (and found false) when no watched series has that name.
func (s *Server) traccia(r *http.Request) (tracciaJSON, bool, error) {
	name := r.URL.Query().Get("serie")
	out := tracciaJSON{Nome: name, Giorni: []int64{}}
	_, series, err := s.monitorate(r, s.annoMostrato())
	if err != nil {
		return out, false, err
	}
	_, ok := allerta.Trova(series, name)
	// A plesso's own series too (an alert's page draws it), and a
	// sentinel-only twin (emergency mode).
	ok = ok || strings.HasPrefix(name, aggregati.PrefissoPlesso) || strings.HasPrefix(name, aggregati.PrefissoSentinella)
	if ok {
		// The whole school year, or the period asked (an alert's page).
		dal, al := s.annoMostrato().Inizio(), s.today()
		if v, err := time.Parse(ps.DateLayout, r.URL.Query().Get("dal")); err == nil {
			dal = v
		}
		if v, err := time.Parse(ps.DateLayout, r.URL.Query().Get("al")); err == nil && v.Before(al) {
			al = v
		}
		tr, err := s.motore.Traccia(r.Context(), name, dal, al)
		if err != nil {
			return out, true, err
		}
		for i, g := range tr.Giorni {
			if tr.Provvisorio[i] {
				out.Provvisorio = append(out.Provvisorio, pctPtr(tr.Quota[i]))
			} else {
				out.Provvisorio = append(out.Provvisorio, nil)
			}
			out.Giorni = append(out.Giorni, g.Unix())
			out.Tasso = append(out.Tasso, pctPtr(tr.Tasso[i]))
			out.Atteso = append(out.Atteso, pctPtr(tr.Atteso[i]))
			out.Soglia = append(out.Soglia, pctPtr(tr.Soglia[i]))
			if tr.Allarme[i] {
				out.Allarme = append(out.Allarme, pctPtr(tr.Tasso[i]))
			} else {
				out.Allarme = append(out.Allarme, nil)
			}
		}
	}
	return out, ok, nil
}

// settimane aligns this school year and the previous one by ISO week (from
// Monday, as the bulletin, InfluNet and the open data count them), with
// InfluNet's school-age incidence for the same weeks.
type settimane struct {
	Settimane  []int      `json:"settimane"` // position in the school year, 1 = the week of 1 September
	Iso        []int      `json:"iso"`       // ISO week number
	Etichette  []string   `json:"etichette"` // "38 · 14/09": ISO week and its Monday
	Corrente   []*float64 `json:"corrente"`
	Precedente []*float64 `json:"precedente"`
	InfluNet   []*float64 `json:"influnet"`
	// Parziale is the week in progress, apart from Corrente: the mean of
	// its complete days so far (Giorni of them); null for the other weeks.
	Parziale []*float64 `json:"parziale"`
	Giorni   []int      `json:"giorni"`
	// InCorso is the position of the latest week drawn apart (Parziale),
	// -1 when none is.
	InCorso int `json:"-"`
	// SenzaPrecedente and SenzaInfluNet say which comparison has no data,
	// so the page can say so instead of drawing nothing.
	SenzaPrecedente bool `json:"-"`
	SenzaInfluNet   bool `json:"-"`
}

// settimaneDati computes the weekly comparison; terr, when given, is the
// territory's trace of this school year (the dashboard has it already).
func (s *Server) settimaneDati(r *http.Request, terr *allerta.Traccia) (settimane, error) {
	anno := s.annoMostrato()
	// The year before: its territory only, straight from the aggregates
	// (its every series would cost a national computation).
	weekly := func(a ps.AnnoScolastico) (map[int]float64, error) {
		arch, err := s.aggregati(r.Context())
		if err != nil {
			return nil, err
		}
		m := map[int]float64{}
		for _, p := range serie.Settimanale(serie.Feriali(arch.Punti(aggregati.Territorio, a.Inizio(), (a+1).Inizio().AddDate(0, 0, -1)))) {
			_, wk := serie.Lunedi(p.Giorno).ISOWeek()
			m[wk] = p.Tasso()
		}
		return m, nil
	}
	o := settimane{InCorso: -1}
	// This year's weeks rest on the days complete enough for detection, as
	// the daily chart draws them; the week in progress is kept apart.
	if terr == nil {
		t, err := s.motore.Traccia(r.Context(), aggregati.Territorio, anno.Inizio(), s.today())
		if err != nil {
			return o, err
		}
		terr = &t
	}
	cur, giorni := map[int]float64{}, map[int]int{}
	ass, isc := map[int]int{}, map[int]int{}
	provvisori := map[int]bool{} // weeks with a day not yet complete
	for i, g := range terr.Giorni {
		_, wk := g.ISOWeek()
		if terr.Provvisorio[i] {
			provvisori[wk] = true
		}
		if terr.Provvisorio[i] || terr.Iscritti[i] == 0 {
			continue
		}
		ass[wk] += terr.Assenti[i]
		isc[wk] += terr.Iscritti[i]
		giorni[wk]++
	}
	for wk, n := range isc {
		cur[wk] = float64(ass[wk]) / float64(n)
	}
	_, inCorso := s.today().ISOWeek()
	if s.today().Weekday() == time.Saturday || s.today().Weekday() == time.Sunday {
		inCorso = -1 // the week's school days are over
	}
	prev, err := weekly(anno - 1)
	if err != nil {
		return o, err
	}
	flu := map[int]float64{}
	if weeks, err := s.db.InfluNet(r.Context()); err == nil {
		for _, iw := range weeks {
			var y, wk int
			if _, err := fmt.Sscanf(iw.Settimana, "%d-%d", &y, &wk); err != nil {
				continue
			}
			if ps.AnnoDi(isoMonday(y, wk)) == anno {
				flu[wk] = iw.Incidenza
			}
		}
	}
	first := serie.Lunedi(anno.Inizio())
	for pos := 1; pos <= 44; pos++ {
		mon := first.AddDate(0, 0, 7*(pos-1))
		_, wk := mon.ISOWeek()
		_, a := cur[wk]
		_, b := prev[wk]
		_, f := flu[wk]
		if !a && !b && !f {
			continue
		}
		o.Settimane = append(o.Settimane, pos)
		o.Iso = append(o.Iso, wk)
		o.Etichette = append(o.Etichette, fmt.Sprintf("%d · %s", wk, mon.Format("02/01")))
		o.Giorni = append(o.Giorni, giorni[wk])
		// A week still in progress, or with a day not yet complete (a
		// Monday morning's last week), is its complete days so far.
		if (wk == inCorso || provvisori[wk]) && giorni[wk] > 0 {
			o.InCorso = len(o.Corrente)
			o.Corrente = append(o.Corrente, nil)
			o.Parziale = append(o.Parziale, optPct(cur, wk))
		} else {
			o.Corrente = append(o.Corrente, optPct(cur, wk))
			o.Parziale = append(o.Parziale, nil)
		}
		o.Precedente = append(o.Precedente, optPct(prev, wk))
		if v, ok := flu[wk]; ok {
			o.InfluNet = append(o.InfluNet, &v)
		} else {
			o.InfluNet = append(o.InfluNet, nil)
		}
	}
	o.SenzaPrecedente, o.SenzaInfluNet = len(prev) == 0, len(flu) == 0
	return o, nil
}

// LunediDi is the Monday of the i-th week, as its label writes it.
func (o settimane) LunediDi(i int) string {
	_, m, _ := strings.Cut(o.Etichette[i], " · ")
	return m
}

func (s *Server) settimaneJSON(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	o, err := s.settimaneDati(r, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, o)
}

func (s *Server) settimaneCSV(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	o, err := s.settimaneDati(r, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := tabella{nome: "settimane", header: []string{"settimana_iso", "lunedi", "tasso_percentuale", "tasso_anno_precedente", "influnet_5_14_per_1000", "giorni_completi", "in_corso"}}
	opt := func(p *float64) any {
		if p == nil {
			return ""
		}
		return *p
	}
	for i, wk := range o.Iso {
		rate, inCorso := o.Corrente[i], 0
		if o.Parziale[i] != nil {
			rate, inCorso = o.Parziale[i], 1
		}
		t.rows = append(t.rows, []any{wk, strings.SplitN(o.Etichette[i], " · ", 2)[1], opt(rate), opt(o.Precedente[i]), opt(o.InfluNet[i]), o.Giorni[i], inCorso})
	}
	s.scrivi(w, r, c, t)
}

func optPct(m map[int]float64, k int) *float64 {
	v, ok := m[k]
	if !ok {
		return nil
	}
	return pctPtr(v)
}

func isoMonday(year, week int) time.Time {
	jan4 := time.Date(year, time.January, 4, 0, 0, 0, 0, time.UTC)
	return serie.Lunedi(jan4).AddDate(0, 0, 7*(week-1))
}

// andamento: a sentinel plesso sees its own daily rate against the
// territory's (an aggregate of many plessi, never another plesso's data).
type andamento struct {
	Giorni     []int64    `json:"giorni"`
	Plesso     []*float64 `json:"plesso"`
	Territorio []*float64 `json:"territorio"`
	// SenzaConfronto counts the days without the territory's value.
	SenzaConfronto int `json:"senza_confronto"`
}

// minPlessiConfronto is how many reporting plessi a territory day needs to
// be shown beside a plesso's own rate.
const minPlessiConfronto = 3

func (s *Server) andamentoDati(r *http.Request, c *reqCtx) (andamento, error) {
	o := andamento{Giorni: []int64{}}
	obs, series, err := s.monitorate(r, s.annoMostrato())
	if err != nil {
		return o, err
	}
	// The territory is drawn only on days when it rests on several plessi:
	// with this plesso alone it would be its own line again, and with one
	// other it would all but show that school's rate.
	terr := map[int64]float64{}
	if m, ok := allerta.Trova(series, "territorio"); ok {
		for _, p := range m.Punti {
			if p.Plessi >= minPlessiConfronto {
				terr[p.Giorno.Unix()] = p.Tasso()
			}
		}
	}
	for _, ob := range obs {
		if ob.Plesso != c.plesso.Codice || ob.Iscritti == 0 {
			continue
		}
		o.Giorni = append(o.Giorni, ob.Giorno.Unix())
		o.Plesso = append(o.Plesso, pctPtr(float64(ob.Assenti)/float64(ob.Iscritti)))
		if v, ok := terr[ob.Giorno.Unix()]; ok {
			o.Territorio = append(o.Territorio, pctPtr(v))
		} else {
			o.Territorio = append(o.Territorio, nil)
			o.SenzaConfronto++
		}
	}
	return o, nil
}

type andamentoRiga struct {
	Giorno             time.Time
	Plesso, Territorio *float64
}

func (s *Server) andamentoPage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	o, err := s.andamentoDati(r, c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var rows []andamentoRiga
	for i := len(o.Giorni) - 1; i >= 0; i-- {
		rows = append(rows, andamentoRiga{time.Unix(o.Giorni[i], 0).UTC(), o.Plesso[i], o.Territorio[i]})
	}
	s.render(w, r, http.StatusOK, "andamento", s.newPage(r, c, "andamento.title", map[string]any{"Plesso": c.plesso, "Righe": rows,
		"SenzaConfronto": o.SenzaConfronto, "MinPlessi": minPlessiConfronto}))
}

func (s *Server) andamentoJSON(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	o, err := s.andamentoDati(r, c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, o)
}

// sentinellaLast returns each sentinel plesso's state in the last window
// whose deadline has passed.
func sentinellaLast(s *Server, r *http.Request, st store.Settings) (map[string]string, error) {
	to := s.today()
	comp, err := sentinella.Carica(r.Context(), s.db, st.FinestreParsed(), to.AddDate(0, 0, -10), to, s.now(), rome)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for j := len(comp.Periodi) - 1; j >= 0; j-- {
		if comp.Tasso[j] < 0 {
			continue // still open
		}
		for i, p := range comp.Plessi {
			out[p.Codice] = string(comp.Celle[i][j].Stato)
		}
		break
	}
	return out, nil
}

// Etichetta names a series in a language.
func (d cruscottoData) Etichetta(lang, serie string) string {
	if lang == langEN {
		return d.etichetteEN[serie]
	}
	return d.Etichette[serie]
}

// annoMostrato is the school year the surveillance views show today
// (calendario.AnnoMostrato): before the first lesson day, the one just
// ended. The pages where schools enter their figures use the year being
// set up (ps.AnnoDi), which begins on 1 September.
func (s *Server) annoMostrato() ps.AnnoScolastico {
	return ps.AnnoScolastico(calendario.AnnoMostrato(s.now().In(rome)))
}
